package tcplab.story;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import tcplab.net.Timeline;
import tcplab.proc.Daemons;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * One row of {@link TimeToDetect}: a mechanism, its setting, when the application learnt something,
 * the model.
 */
record Detection(
    String mechanism,
    String setting,
    double measured,
    double model,
    String modelText,
    String saw,
    String after) {
  static final String NAME = "No FIN: how long until the client notices the cut";

  /** Runs the jobs in parallel (30 s deadline each) and makes one row per job, in order. */
  static Table table(List<Callable<Detection>> jobs) {
    ExecutorService pool =
        Executors.newFixedThreadPool(jobs.size(), Daemons.named("tcplab-detect"));
    StringColumn mech = StringColumn.create("mechanism"),
        setting = StringColumn.create("setting"),
        saw = StringColumn.create("the application saw"),
        after = StringColumn.create("afterwards"),
        modelText = StringColumn.create("model");
    DoubleColumn measured = DoubleColumn.create("measured (s)"),
        model = DoubleColumn.create("model (s)");
    try {
      List<Future<Detection>> fs = new ArrayList<>();
      for (var j : jobs) {
        fs.add(pool.submit(j));
      }
      for (Future<Detection> f : fs) {
        Detection d;
        try {
          d = f.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException("a time-to-detect run failed: " + e, e);
        }
        mech.append(d.mechanism);
        setting.append(d.setting);
        measured.append(round3(d.measured));
        model.append(round3(d.model));
        modelText.append(d.modelText);
        saw.append(d.saw);
        after.append(d.after);
      }
    } finally {
      pool.shutdownNow();
    }
    return Table.create(NAME, mech, setting, measured, model, modelText, saw, after);
  }

  /** Rounds to milliseconds; NaN (never) stays NaN. */
  static double round3(double x) {
    return Double.isNaN(x) ? Double.NaN : Math.round(x * 1000) / 1000.0;
  }

  /**
   * Application heartbeat: "ping\n" every 200 ms, dead when a ping has no "pong\n" within 500 ms.
   */
  static Detection heartbeat(Socket client, Socket server, Runnable cut, Supplier<String> after) {
    int every = 200, within = 500;
    Thread pong =
        new Thread(
            () -> {
              try {
                InputStream in = server.getInputStream();
                OutputStream out = server.getOutputStream();
                server.setSoTimeout(10_000);
                int b;
                while ((b = in.read()) >= 0) {
                  if (b == '\n') {
                    out.write("pong\n".getBytes(StandardCharsets.US_ASCII));
                  }
                }
              } catch (IOException ignored) {
                // the cut or the end of the run closes it
              }
            },
            "tcplab-pong");
    pong.setDaemon(true);
    pong.start();
    InputStream in;
    OutputStream out;
    try {
      in = client.getInputStream();
      out = client.getOutputStream();
      client.setSoTimeout(20);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    ArrayDeque<Long> outstanding = new ArrayDeque<>();
    long start = System.nanoTime(), t0 = 0, nextPing = start;
    boolean isCut = false;
    String saw = "no verdict within 5 s";
    double t = Double.NaN;
    while (System.nanoTime() - start < 8_000_000_000L) {
      long now = System.nanoTime();
      if (!isCut
          && now - start > 600_000_000L
          && outstanding.isEmpty()) { // healthy round trips first, all answered
        t0 = System.nanoTime(); // the cut takes effect somewhere during the call (nft in the server
        // host)
        cut.run();
        isCut = true;
      }
      if (now >= nextPing) {
        try {
          out.write("ping\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          saw = Timeline.text(e);
          break;
        }
        outstanding.add(now);
        nextPing += every * 1_000_000L;
      }
      try {
        int b = in.read();
        if (b == '\n' && !outstanding.isEmpty()) {
          outstanding.poll();
        }
      } catch (SocketTimeoutException e) {
        // nothing yet
      } catch (IOException e) {
        saw = Timeline.text(e);
        break;
      }
      if (!outstanding.isEmpty() && System.nanoTime() - outstanding.peek() > within * 1_000_000L) {
        t = (System.nanoTime() - t0) / 1e9;
        saw = "no pong within " + within + " ms: the application declares the peer dead";
        break;
      }
    }
    return new Detection(
        "application heartbeat",
        "ping every " + every + " ms, pong expected within " + within + " ms",
        isCut ? t : Double.NaN,
        (every / 2.0 + within) / 1000.0,
        "the first ping after the cut + timeout: 0.5-0.7 s",
        saw,
        after.get());
  }
}
