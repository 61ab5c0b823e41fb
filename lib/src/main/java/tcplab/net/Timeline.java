package tcplab.net;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tcplab.observe.ProcNetTcp;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * What happened on two hosts, row by row: time, who, what, the result, and each end's TCP state
 * read from its own host's kernel. Time 0 is the fault ({@link #zero()}); rows before it have
 * negative times.
 */
public final class Timeline {
  public static final String T = "t (s)",
      WHO = "who",
      WHAT = "what",
      RESULT = "result",
      CLIENT = "client state",
      SERVER = "server state";

  /**
   * Where the two ends' states come from: the hosts' own kernels (root, user namespace) or this
   * JVM's (relay).
   */
  public interface States {
    String client();

    String server();
  }

  private final States states;
  private long t0 = System.nanoTime();
  private double zeroEpoch = epochNow();
  private final DoubleColumn t = DoubleColumn.create(T);
  private final StringColumn who = StringColumn.create(WHO),
      what = StringColumn.create(WHAT),
      result = StringColumn.create(RESULT),
      client = StringColumn.create(CLIENT),
      server = StringColumn.create(SERVER);

  public Timeline(States states) {
    this.states = states;
  }

  private java.util.function.Consumer<String> rows = r -> {};

  /**
   * Hands each row, as one line of text, to {@code sink} as it is added (a child JVM streams them
   * home).
   */
  public Timeline onRow(java.util.function.Consumer<String> sink) {
    rows = sink;
    return this;
  }

  /** "ESTABLISHED timer=retransmit Send-Q=16" for a /proc/net/tcp row, "CLOSED" for none. */
  public static String describe(java.util.Optional<ProcNetTcp.Row> row) {
    return row.map(
            r ->
                r.state()
                    + (r.timer().equals("off") ? "" : " timer=" + r.timer())
                    + (r.sendQ() > 0 ? " Send-Q=" + r.sendQ() : "")
                    + (r.recvQ() > 0 ? " Recv-Q=" + r.recvQ() : ""))
        .orElse(ProcNetTcp.NOT_LISTED);
  }

  /** Wall-clock seconds since the epoch (microseconds, like tcpdump -tt). */
  static double epochNow() {
    java.time.Instant i = java.time.Instant.now();
    return i.getEpochSecond() + i.getNano() / 1e9;
  }

  /** The wall-clock time (epoch seconds) of time 0, to line packets up with the rows. */
  public double zeroEpoch() {
    return zeroEpoch;
  }

  /** Time 0 is now (the moment of the fault). */
  public void zero() {
    long now = System.nanoTime();
    double shift = (now - t0) / 1e9;
    for (int i = 0; i < t.size(); i++) {
      t.set(i, Math.round((t.getDouble(i) - shift) * 1000) / 1000.0);
    }
    t0 = now;
    zeroEpoch = epochNow();
  }

  /** Seconds since time 0. */
  public double now() {
    return (System.nanoTime() - t0) / 1e9;
  }

  /** A row at time {@code at}, with both ends' states as their kernels show them now. */
  public void add(double at, String who, String what, String result) {
    add(at, who, what, result, true);
  }

  /**
   * Runs {@code call} and adds its result as a row stamped when it returned (blocking calls take a
   * while).
   */
  public String call(String who, String what, java.util.function.Supplier<String> call) {
    String r = call.get();
    add(now(), who, what, r);
    return r;
  }

  public void add(double at, String w, String wh, String r, boolean states) {
    t.append(Math.round(at * 1000) / 1000.0);
    who.append(w);
    what.append(wh);
    result.append(r);
    client.append(states ? this.states.client() : "");
    server.append(states ? this.states.server() : "");
    int i = t.size() - 1;
    rows.accept(
        String.format(
            "%7.3f s  %-13s %s%s%s",
            t.getDouble(i),
            w,
            wh,
            r.isEmpty() ? "" : " = " + r,
            states ? "  [client " + client.get(i) + ", server " + server.get(i) + "]" : ""));
  }

  public Table table(String name) {
    return Table.create(name, t, who, what, result, client, server);
  }

  // ------------------------------------------------------------------ small blocking calls with
  // deadlines

  /** "SocketException: Connection reset" for an exception. */
  public static String text(Throwable e) {
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  /** Writes {@code data}; "16 bytes" or the exception's text. (Small writes never block.) */
  public static String write(Socket s, String data) {
    try {
      s.getOutputStream().write(data.getBytes(StandardCharsets.US_ASCII));
      return data.length() + " bytes";
    } catch (IOException e) {
      return text(e);
    }
  }

  /**
   * One read with SO_TIMEOUT {@code millis}: "3 bytes \"abc\"", "-1 (end of stream)" or the
   * exception's text.
   */
  public static String read(Socket s, int millis) {
    try {
      s.setSoTimeout(millis);
      byte[] buf = new byte[256];
      int n = s.getInputStream().read(buf);
      return n < 0
          ? "-1 (end of stream)"
          : n + " bytes \"" + new String(buf, 0, n, StandardCharsets.US_ASCII) + "\"";
    } catch (IOException e) {
      return text(e);
    }
  }

  /** What a blocking read returned, and when (seconds on this timeline; NaN if still blocked). */
  public record Read(String result, double at) {}

  /** A blocking read on another thread; the caller waits for it with {@link #await}. */
  public CompletableFuture<Read> readAsync(Socket s, int millis) {
    CompletableFuture<Read> f = new CompletableFuture<>();
    Thread th =
        new Thread(
            () -> {
              String r = read(s, millis);
              f.complete(new Read(r, now()));
            },
            "tcplab-reader");
    th.setDaemon(true);
    th.start();
    return f;
  }

  public static Read await(CompletableFuture<Read> f, long millis) {
    try {
      return f.get(millis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return new Read("still blocked after " + millis + " ms", Double.NaN);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }
}
