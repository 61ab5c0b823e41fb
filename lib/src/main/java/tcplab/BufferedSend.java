package tcplab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tcplab.engine.Rows;
import tcplab.engine.Run;
import tcplab.engine.WriteBurst;
import tcplab.net.PrivateHost;
import tcplab.observe.CResult;
import tcplab.observe.CView;
import tcplab.observe.TcpInfo;
import tcplab.proc.Deadlines;
import tcplab.text.Text;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Lesson 17, first claim: {@code write()} returning success only means "copied into my kernel's
 * send buffer". A receiver on 127.0.0.1 that never reads; a sender writing chunks in non-blocking
 * mode until a write would block, or until the deadline. Played twice on fresh connections: with
 * C's send(MSG_DONTWAIT) on the socket's fd, and with Java's non-blocking SocketChannel.
 */
public final class BufferedSend {
  private BufferedSend() {}

  /** Largest chunk a notebook may ask for (16 MiB). */
  public static final int MAX_CHUNK = 16 << 20;

  /** Largest socket buffer a notebook may ask for (64 MiB; Linux caps it lower anyway). */
  public static final int MAX_BUFFER = 64 << 20;

  /** Longest deadline a notebook may ask for (30 s). */
  public static final int MAX_DEADLINE_MS = 30_000;

  /** A pass stops after this many writes even if none has blocked (keeps the table readable). */
  public static final int MAX_WRITES = 5_000;

  /** What one run observed. */
  public record Result(
      Table writes,
      Table knowledge,
      long acceptedBytes,
      long peerReadBytes,
      String stoppedBecause,
      int sendBufferBytes,
      int receiveBufferBytes) {

    /** The lesson's point, in one sentence built from what just happened. */
    public String summary() {
      return Text.get(
          "note.bufferedSend",
          String.format("%,d", acceptedBytes),
          writes.rowCount(),
          Text.shown(stoppedBecause),
          String.format("%,d", peerReadBytes),
          String.format("%,d", sendBufferBytes),
          String.format("%,d", receiveBufferBytes));
    }
  }

  /** One pass: per write, what it returned and the queues right after it. */
  private record Pass(
      List<String> returned,
      List<Long> accepted,
      List<Long> sendQ,
      List<Long> recvQ,
      String stop,
      long total,
      int sndBuf,
      int rcvBuf,
      List<String[]> knowledge) {}

  /**
   * Runs the scenario.
   *
   * @param chunkBytes bytes per write, 1 .. 16 MiB
   * @param sendBufferBytes SO_SNDBUF asked of the sender, 0 = kernel default (auto-tuned)
   * @param receiveBufferBytes SO_RCVBUF asked of the receiver (set on the listener, so the window
   *     is small from the first segment), 0 = kernel default
   * @param deadlineMillis a pass stops after this long even if no write has blocked, 1 .. 30000
   */
  public static Result run(
      int chunkBytes, int sendBufferBytes, int receiveBufferBytes, int deadlineMillis) {
    Check.range("chunkBytes", chunkBytes, 1, MAX_CHUNK, "bytes");
    Check.range("sendBufferBytes", sendBufferBytes, 0, MAX_BUFFER, "bytes (0 = kernel default)");
    Check.range(
        "receiveBufferBytes", receiveBufferBytes, 0, MAX_BUFFER, "bytes (0 = kernel default)");
    Check.range("deadlineMillis", deadlineMillis, 1, MAX_DEADLINE_MS, "ms");
    Optional<String> cMissing = CView.unavailableReason();
    Pass c =
        cMissing.isEmpty()
            ? pass(true, chunkBytes, sendBufferBytes, receiveBufferBytes, deadlineMillis)
            : null;
    Pass java = pass(false, chunkBytes, sendBufferBytes, receiveBufferBytes, deadlineMillis);
    Pass main = c != null ? c : java;

    int rows = Math.max(java.returned.size(), c == null ? 0 : c.returned.size());
    IntColumn call = IntColumn.create("write #");
    IntColumn asked = IntColumn.create("bytes asked");
    StringColumn cView = StringColumn.create("C: send(fd, buf, n, MSG_DONTWAIT)");
    StringColumn jView = StringColumn.create("Java: SocketChannel.write, non-blocking");
    LongColumn total = LongColumn.create("accepted so far");
    StringColumn sendQ = StringColumn.create("sender Send-Q");
    StringColumn recvQ = StringColumn.create("receiver Recv-Q");
    LongColumn peerRead = LongColumn.create("peer app has read");
    for (int i = 0; i < rows; i++) {
      call.append(i + 1);
      asked.append(chunkBytes);
      cView.append(c == null ? "not observable here: " + cMissing.get() : at(c.returned, i));
      jView.append(at(java.returned, i));
      total.append(i < main.accepted.size() ? main.accepted.get(i) : main.total);
      sendQ.append(
          i < main.sendQ.size() && main.sendQ.get(i) >= 0
              ? String.valueOf(main.sendQ.get(i))
              : "—");
      recvQ.append(
          i < main.recvQ.size() && main.recvQ.get(i) >= 0
              ? String.valueOf(main.recvQ.get(i))
              : "—");
      peerRead.append(0);
    }
    Table writes =
        Table.create(
            "writes to a peer that never reads",
            call,
            asked,
            cView,
            jView,
            total,
            sendQ,
            recvQ,
            peerRead);
    StringColumn what = StringColumn.create("what");
    StringColumn value = StringColumn.create("bytes");
    StringColumn who = StringColumn.create("who can know it, and how");
    for (String[] k : main.knowledge) {
      what.append(k[0]);
      value.append(k[1]);
      who.append(k[2]);
    }
    Table knowledge =
        Table.create("at the end: what the sender can and cannot know", what, value, who);
    return new Result(writes, knowledge, main.total, 0, main.stop, main.sndBuf, main.rcvBuf);
  }

  private static String at(List<String> list, int i) {
    return i < list.size() ? list.get(i) : "—";
  }

  private static Pass pass(
      boolean cView,
      int chunkBytes,
      int sendBufferBytes,
      int receiveBufferBytes,
      int deadlineMillis) {
    List<String> returned = new ArrayList<>();
    List<Long> accepted = new ArrayList<>();
    List<Long> sendQs = new ArrayList<>();
    List<Long> recvQs = new ArrayList<>();
    try (ServerSocketChannel listener = ServerSocketChannel.open()) {
      if (receiveBufferBytes > 0) {
        listener.setOption(StandardSocketOptions.SO_RCVBUF, receiveBufferBytes);
      }
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
      try (SocketChannel sender = SocketChannel.open()) {
        if (sendBufferBytes > 0) {
          sender.setOption(StandardSocketOptions.SO_SNDBUF, sendBufferBytes);
        }
        sender.socket().connect(listener.getLocalAddress(), deadlineMillis);
        try (SocketChannel receiver = Deadlines.accept(listener, deadlineMillis)) {
          int sfd = -1;
          int rfd = -1;
          if (cView) {
            sfd = CView.fdOf(sender);
            rfd = CView.fdOf(receiver);
          } else {
            sender.configureBlocking(false);
          }
          ByteBuffer chunk = ByteBuffer.allocate(chunkBytes);
          byte[] bytes = new byte[chunkBytes];
          long total = 0;
          long end = System.nanoTime() + deadlineMillis * 1_000_000L;
          String stop =
              "the deadline of " + deadlineMillis + " ms passed before any write would block";
          for (int i = 1; i <= MAX_WRITES; i++) {
            long n;
            if (cView) {
              CResult r = CView.send(sfd, bytes, CView.MSG_DONTWAIT);
              returned.add(r.text() + (r.errno() == CResult.EAGAIN ? ": would block" : ""));
              n = Math.max(0, r.value());
              sendQs.add(TcpInfo.outq(sfd));
              recvQs.add(TcpInfo.inq(rfd));
            } else {
              chunk.clear();
              n = sender.write(chunk);
              returned.add(n + (n == 0 ? ": would block" : ""));
            }
            total += n;
            accepted.add(total);
            if (n == 0) {
              stop = "write #" + i + " would block";
              break;
            }
            if (System.nanoTime() > end) {
              break;
            }
            if (i == MAX_WRITES) {
              stop = MAX_WRITES + " writes without blocking; try a bigger chunkBytes";
            }
          }
          List<String[]> knowledge = new ArrayList<>();
          if (cView) {
            knowledge.addAll(knowledge(sfd, rfd, total));
          } else {
            knowledge.add(
                new String[] {
                  "bytes write() accepted",
                  String.valueOf(total),
                  "the sender: the return values of write()"
                });
          }
          return new Pass(
              returned,
              accepted,
              sendQs,
              recvQs,
              stop,
              total,
              sender.getOption(StandardSocketOptions.SO_SNDBUF),
              receiver.getOption(StandardSocketOptions.SO_RCVBUF),
              knowledge);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("buffered-send scenario failed: " + e, e);
    }
  }

  private static List<String[]> knowledge(int sfd, int rfd, long total) {
    try { // the receiver's kernel may delay its ACK: wait (bounded) until what it holds has been
      // ACKed
      Run.until(
          500, () -> TcpInfo.of(sfd).map(t -> t.bytesAcked() - 1 == TcpInfo.inq(rfd)).orElse(true));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Optional<TcpInfo> info = TcpInfo.of(sfd);
    String acked = info.map(t -> String.valueOf(t.bytesAcked() - 1)).orElse("not observable here");
    return List.of(
        new String[] {
          "bytes write() accepted",
          String.valueOf(total),
          "the sender: the return values of write()"
        },
        new String[] {
          "still in the sender's kernel (Send-Q)",
          String.valueOf(TcpInfo.outq(sfd)),
          "the sender, on Linux: ioctl SIOCOUTQ, /proc/net/tcp, ss"
        },
        new String[] {
          "  of which not even sent yet",
          String.valueOf(TcpInfo.outqNotSent(sfd)),
          "the sender, on Linux: ioctl SIOCOUTQNSD, TCP_INFO tcpi_notsent_bytes"
        },
        new String[] {
          "ACKed by the receiver's kernel",
          acked,
          "the sender, on Linux only: TCP_INFO tcpi_bytes_acked (minus 1 for the SYN); no POSIX or Java API"
        },
        new String[] {
          "waiting in the receiver's kernel (Recv-Q)",
          String.valueOf(TcpInfo.inq(rfd)),
          "the receiver: ioctl SIOCINQ, /proc/net/tcp"
        },
        new String[] {
          "read by the receiving application",
          "0",
          "only the receiving application; the sender learns it only if that application tells it"
        });
  }

  // ------------------------------------------------------------------ writes are not segments

  /** Most messages {@link #writesAreNotSegments} may write. */
  public static final int MAX_MESSAGES = 10_000;

  /** Longest pause a slow reader may take before its first read (10 s). */
  public static final int MAX_READER_PAUSE_MS = 10_000;

  /** Largest read buffer {@link #writesAreNotSegments} accepts (1 MiB). */
  public static final int MAX_READ_BUFFER = 1 << 20;

  /** Deadline of each blocking step of {@link #writesAreNotSegments} (accept, read, join). */
  public static final int SEGMENTS_DEADLINE_MS = 5_000;

  /**
   * What {@link #writesAreNotSegments} observed.
   *
   * @param passes one row per pass: writes, segments on the wire, read() calls
   * @param reads the slow reader's read() calls (TCP_NODELAY on): sizes and where they cut
   * @param framing the same bytes split two ways: one read() per message, and newline framing
   * @param note why the segments were not captured, or null when they were
   * @param raw the passes as measured (Nagle at once, NODELAY at once, Nagle slow, NODELAY slow)
   */
  public record Segments(
      Table passes, Table reads, Table framing, String note, List<WriteBurst.Pass> raw) {

    /** The lesson's point, built from what just happened. */
    public String summary() {
      WriteBurst.Pass slow = raw.get(3);
      String segs =
          raw.stream()
              .map(p -> p.captured() ? String.valueOf(p.segmentSizes().size()) : "?")
              .reduce((a, b) -> a + ", " + b)
              .orElse("");
      return Text.get("note.segments", slow.writeSizes().size(), segs, slow.readSizes().size());
    }
  }

  /**
   * Writes are not segments, and reads are not writes: {@code messages} SQL statements, each ending
   * with a newline and written with its own {@code write()}, over four fresh connections on
   * 127.0.0.1: Nagle on (the default) or TCP_NODELAY, and a reader that reads at once or first
   * sleeps {@code readerPauseMillis}. Captures the data segments (here, or in the private host for
   * an unprivileged user) and records what every {@code read()} of at most {@code readBufferBytes}
   * returned.
   *
   * @param messages 1 .. 10000
   * @param readerPauseMillis the slow reader's sleep before its first read(), 0 .. 10000 ms
   * @param readBufferBytes bytes asked of each read(), 1 .. 1 MiB
   */
  public static Segments writesAreNotSegments(
      int messages, int readerPauseMillis, int readBufferBytes) {
    Check.range("messages", messages, 1, MAX_MESSAGES, "messages");
    Check.range("readerPauseMillis", readerPauseMillis, 0, MAX_READER_PAUSE_MS, "ms");
    Check.range("readBufferBytes", readBufferBytes, 1, MAX_READ_BUFFER, "bytes");
    List<WriteBurst.Pass> passes;
    String where = ScenarioHost.choice();
    if (where.equals("private")) {
      String payload =
          messages + " " + readerPauseMillis + " " + readBufferBytes + " " + SEGMENTS_DEADLINE_MS;
      passes =
          WriteBurst.decode(
              PrivateHost.play(
                  WriteBurst.class.getName(),
                  payload,
                  line -> {},
                  Duration.ofMillis(
                      4L * (2L * SEGMENTS_DEADLINE_MS + readerPauseMillis) + 60_000)));
    } else {
      passes = WriteBurst.play(messages, readerPauseMillis, readBufferBytes, SEGMENTS_DEADLINE_MS);
    }
    return segments(passes, readBufferBytes, where);
  }

  static Segments segments(List<WriteBurst.Pass> passes, int readBufferBytes, String where) {
    Rows t =
        new Rows(
            "TCP_NODELAY",
            "reader",
            "write() calls",
            "bytes",
            "data segments on the wire",
            "segment sizes (bytes)",
            "first to last segment (ms)",
            "sender's kernel: data segments sent (TCP_INFO)",
            "read() calls",
            "read() sizes (bytes)",
            "messages split across two reads",
            "expected (Linux)");
    String note = null;
    for (WriteBurst.Pass p : passes) {
      int total = p.writeSizes().stream().mapToInt(Integer::intValue).sum();
      int n = p.writeSizes().size();
      String reader =
          p.readerPauseMillis() == 0
              ? "reads at once"
              : "sleeps " + p.readerPauseMillis() + " ms, then reads";
      String expected =
          "segments 1 .. "
              + n
              + (p.noDelay() ? "" : " (Nagle may merge writes)")
              + "; "
              + (p.readerPauseMillis() == 0
                  ? "read() calls 1 .. " + n
                  : "read() calls ⌈"
                      + total
                      + "/"
                      + readBufferBytes
                      + "⌉ = "
                      + ((total + readBufferBytes - 1) / readBufferBytes)
                      + " (all bytes wait in the receive queue)");
      if (!p.captured()) {
        note = p.captureNote();
      }
      t.add(
          p.noDelay() ? "on" : "off (Nagle)",
          reader,
          String.valueOf(n),
          String.valueOf(total),
          p.captured() ? String.valueOf(p.segmentSizes().size()) : "not captured",
          p.captured() ? runs(p.segmentSizes(), 10) : "—",
          p.captured() ? String.format("%.1f", p.segmentSpanMillis()) : "—",
          p.dataSegmentsOut() >= 0 ? String.valueOf(p.dataSegmentsOut()) : "not readable here",
          String.valueOf(p.readSizes().size()),
          runs(p.readSizes(), 10),
          String.valueOf(splitMessages(p.writeSizes(), p.readSizes())),
          expected);
    }
    WriteBurst.Pass slow = passes.get(passes.size() - 1);
    Rows reads = new Rows("read #", "returned (bytes)", "begins with", "ends with", "cut message?");
    List<Integer> ends = new ArrayList<>();
    int at = 0;
    for (int w : slow.writeSizes()) {
      at += w;
      ends.add(at);
    }
    byte[] stream = stream(slow.writeSizes().size());
    int from = 0;
    for (int i = 0; i < slow.readSizes().size(); i++) {
      int r = slow.readSizes().get(i);
      String text = new String(stream, from, r, java.nio.charset.StandardCharsets.US_ASCII);
      int to = from + r;
      boolean cut = !ends.contains(to);
      reads.add(
          String.valueOf(i + 1),
          String.valueOf(r),
          visible(text.substring(0, Math.min(24, text.length()))),
          visible(text.substring(Math.max(0, text.length() - 24))),
          cut ? "yes: the next read() returns the rest of this message" : "no");
      from = to;
    }
    Rows framing =
        new Rows("the reader takes", "messages it got", "identical to a message written");
    int whole = 0;
    from = 0;
    for (int r : slow.readSizes()) {
      int to = from + r;
      if (ends.contains(to)
          && (from == 0 || ends.contains(from))
          && ends.indexOf(to) == ends.indexOf(from) + 1) {
        whole++;
      }
      from = to;
    }
    framing.add(
        "one read() = one message",
        String.valueOf(slow.readSizes().size()),
        whole + " of " + slow.readSizes().size());
    List<String> lines = newlineFraming(stream, slow.readSizes());
    int same = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (i < slow.writeSizes().size() && (lines.get(i) + "\n").equals(WriteBurst.message(i + 1))) {
        same++;
      }
    }
    framing.add(
        "newline framing: split each read() at '\\n', keep the unfinished tail for the next read()",
        String.valueOf(lines.size()),
        same + " of " + lines.size());
    String whereNote = where.equals("private") ? " (played in the private host)" : "";
    return new Segments(
        t.table("writes, segments and reads" + whereNote),
        reads.table(
            "the slow reader's read() calls (TCP_NODELAY on, buffer "
                + readBufferBytes
                + " bytes)"),
        framing.table("the same bytes, split into messages two ways"),
        note,
        List.copyOf(passes));
  }

  /** The bytes of the first {@code n} messages, as the stream carried them. */
  private static byte[] stream(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      b.append(WriteBurst.message(i));
    }
    return b.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** What a reader that frames by newline gets from these read() sizes. */
  private static List<String> newlineFraming(byte[] stream, List<Integer> readSizes) {
    List<String> out = new ArrayList<>();
    StringBuilder tail = new StringBuilder();
    int from = 0;
    for (int r : readSizes) {
      tail.append(new String(stream, from, r, java.nio.charset.StandardCharsets.US_ASCII));
      from += r;
      for (int nl; (nl = tail.indexOf("\n")) >= 0; ) {
        out.add(tail.substring(0, nl));
        tail.delete(0, nl + 1);
      }
    }
    return out;
  }

  /** How many messages have a read() boundary strictly inside them. */
  static int splitMessages(List<Integer> writeSizes, List<Integer> readSizes) {
    java.util.Set<Integer> cuts = new java.util.HashSet<>();
    int at = 0;
    for (int r : readSizes) {
      at += r;
      cuts.add(at);
    }
    int split = 0;
    int start = 0;
    for (int w : writeSizes) {
      for (int b = start + 1; b < start + w; b++) {
        if (cuts.contains(b)) {
          split++;
          break;
        }
      }
      start += w;
    }
    return split;
  }

  /** Sizes in order, repeats folded ("36×9, 37×90"), at most {@code max} groups shown. */
  static String runs(List<Integer> xs, int max) {
    StringBuilder b = new StringBuilder();
    int groups = 0;
    for (int i = 0; i < xs.size(); ) {
      int j = i;
      while (j < xs.size() && xs.get(j).equals(xs.get(i))) {
        j++;
      }
      if (groups == max) {
        b.append(", …");
        break;
      }
      b.append(groups == 0 ? "" : ", ").append(xs.get(i)).append(j - i > 1 ? "×" + (j - i) : "");
      groups++;
      i = j;
    }
    return b.toString();
  }

  private static String visible(String s) {
    return s.replace("\n", "⏎");
  }
}
