package tcplab.observe;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Packet capture in this JVM, without tcpdump: an AF_PACKET socket (SOCK_RAW, all protocols) bound
 * to one interface, with a classic BPF filter ("tcp and (port a or port b ...)", the program
 * tcpdump -d prints) and a TPACKET_V2 receive ring that the kernel fills with the first 190 bytes
 * and the kernel timestamp of each segment. A reader thread empties the ring; it waits in poll()
 * with a 50 ms timeout, so it always ends.
 *
 * <p>Allowed where this process holds CAP_NET_RAW over the network namespace it is in: root, or
 * root of a user namespace that owns its network namespace ({@code unshare -rn}), which is how
 * students get packets without any host privilege.
 *
 * <p>Ready when {@link #open} returns: the filter and the ring are installed before the socket is
 * bound, so no segment of a later connection is missed and no other segment is ever queued. On
 * loopback every segment passes the packet socket twice (sent and received); the sent copy
 * (PACKET_OUTGOING) is dropped, as libpcap does, so each segment shows once. On other interfaces (a
 * veth) both directions are kept.
 */
final class PacketSocket implements AutoCloseable {
  private static final int AF_PACKET = 17, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000;
  private static final int SOL_SOCKET = 1, SO_ATTACH_FILTER = 26;
  private static final int SOL_PACKET = 263,
      PACKET_RX_RING = 5,
      PACKET_STATISTICS = 6,
      PACKET_VERSION = 10;
  private static final int TPACKET_V2 = 1, TP_STATUS_USER = 1;
  private static final int PACKET_OUTGOING = 4, ARPHRD_LOOPBACK = 772;
  private static final int EPERM = 1, EACCES = 13, EAFNOSUPPORT = 97;
  private static final int FRAME = 256, BLOCK = 1 << 16, BLOCKS = 32; // 8192 frames, 2 MiB
  private static final int POLL_MILLIS = 50;

  /** The most ports one filter takes (8-bit jump offsets). */
  static final int MAX_PORTS = 16;

  private final String iface;
  private final int fd;
  private final int wake; // an eventfd: stop() writes to it, so the reader leaves poll() at once
  private final Pointer ring;
  private final long ringBytes;
  private final int frames;
  private final int ignorePort;
  private final Thread reader;
  private final List<Capture.Packet> packets = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean stopping;
  private volatile boolean ignoredSeen;
  private volatile long lastFrameNanos = System.nanoTime();
  private volatile String readError;
  private long kernelPackets;
  private long kernelDrops;
  private boolean closed;

  /**
   * Empty when this process may open a packet socket here (in the network namespace of the calling
   * thread); else why not, in one sentence. Tries it: socket(AF_PACKET) and close. Never throws.
   */
  static Optional<String> unavailableReason() {
    try {
      if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
        return Optional.of("packet sockets are Linux only");
      }
      if (Native.POINTER_SIZE != 8) {
        return Optional.of("packet sockets: only 64-bit Linux is supported by this mapping");
      }
      int fd = PacketLibC.C.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
      PacketLibC.C.close(fd);
      return Optional.empty();
    } catch (LastErrorException e) {
      int err = e.getErrorCode();
      return Optional.of(
          err == EPERM || err == EACCES
              ? "a packet socket needs root or root of a user namespace (CAP_NET_RAW)"
              : err == EAFNOSUPPORT
                  ? "this kernel has no packet sockets (AF_PACKET)"
                  : "socket(AF_PACKET) failed: " + e.getMessage());
    } catch (LinkageError e) {
      return Optional.of("JNA could not load libc (" + e + ")");
    } catch (RuntimeException e) {
      return Optional.of("packet socket: " + e);
    }
  }

  /**
   * Opens a capture on {@code iface} for TCP segments to or from any of {@code ports}, in the
   * network namespace of the calling thread. Segments to or from {@code ignorePort} (0: none) only
   * mark {@link #ignoredSeen()}.
   *
   * @throws IllegalStateException with the reason when the socket cannot be opened
   */
  static PacketSocket open(String iface, int ignorePort, int... ports) {
    return new PacketSocket(iface, ignorePort, ports);
  }

  private PacketSocket(String iface, int ignorePort, int[] ports) {
    int n = ports.length + (ignorePort > 0 ? 1 : 0);
    if (n == 0 || n > MAX_PORTS) {
      throw new IllegalArgumentException("ports must name 1 to " + MAX_PORTS + " ports, not " + n);
    }
    int[] all = java.util.Arrays.copyOf(ports, n);
    if (ignorePort > 0) {
      all[n - 1] = ignorePort;
    }
    this.iface = iface;
    this.ignorePort = ignorePort;
    int ifindex = PacketLibC.C.if_nametoindex(iface);
    if (ifindex == 0) {
      throw new IllegalStateException("no interface \"" + iface + "\" in this network namespace");
    }
    int s;
    try {
      s =
          PacketLibC.C.socket(
              AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0); // protocol 0: receives nothing until bind
    } catch (LastErrorException e) {
      throw new IllegalStateException(
          unavailableReason().orElse("socket(AF_PACKET) failed: " + e.getMessage()), e);
    }
    fd = s;
    try {
      wake = PacketLibC.C.eventfd(0, SOCK_CLOEXEC);
    } catch (LastErrorException e) {
      PacketLibC.C.close(fd);
      throw new IllegalStateException("eventfd failed: " + e.getMessage(), e);
    }
    frames = BLOCK / FRAME * BLOCKS;
    ringBytes = (long) BLOCK * BLOCKS;
    Pointer mapped = null;
    Memory prog = null;
    try {
      PacketLibC.C.setsockopt(fd, SOL_PACKET, PACKET_VERSION, intBytes(TPACKET_V2), 4);
      long[][] filter = BpfFilter.filter(all);
      prog = new Memory(8L * filter.length);
      for (int i = 0; i < filter.length; i++) {
        prog.setShort(8L * i, (short) filter[i][0]);
        prog.setByte(8L * i + 2, (byte) filter[i][1]);
        prog.setByte(8L * i + 3, (byte) filter[i][2]);
        prog.setInt(8L * i + 4, (int) filter[i][3]);
      }
      Memory fprog =
          new Memory(16); // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
      fprog.clear();
      fprog.setShort(0, (short) filter.length);
      fprog.setPointer(8, prog);
      PacketLibC.C.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, 16);
      byte[] req =
          new byte[16]; // struct tpacket_req { block_size, block_nr, frame_size, frame_nr }
      putInt(req, 0, BLOCK);
      putInt(req, 4, BLOCKS);
      putInt(req, 8, FRAME);
      putInt(req, 12, frames);
      PacketLibC.C.setsockopt(fd, SOL_PACKET, PACKET_RX_RING, req, 16);
      mapped =
          PacketLibC.C.mmap(
              null, ringBytes, 3 /* PROT_READ|PROT_WRITE */, 1 /* MAP_SHARED */, fd, 0);
      if (Pointer.nativeValue(mapped) == -1L) {
        throw new IllegalStateException("mmap of the packet ring failed");
      }
      byte[] sll =
          new byte[20]; // struct sockaddr_ll: family, protocol (ETH_P_ALL, network order), ifindex
      sll[0] = (byte) AF_PACKET;
      sll[2] = 0;
      sll[3] = 3;
      putInt(sll, 4, ifindex);
      PacketLibC.C.bind(fd, sll, sll.length);
    } catch (LastErrorException | IllegalStateException e) {
      if (mapped != null) {
        PacketLibC.C.munmap(mapped, ringBytes);
      }
      PacketLibC.C.close(fd);
      PacketLibC.C.close(wake);
      throw new IllegalStateException("packet socket on " + iface + ": " + e.getMessage(), e);
    }
    ring = mapped;
    reader = new Thread(this::read, "tcplab-packet-socket");
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    byte[] pfd = new byte[16]; // two struct pollfd { int fd; short events; short revents; }
    putInt(pfd, 0, fd);
    pfd[4] = 1; // POLLIN
    putInt(pfd, 8, wake);
    pfd[12] = 1;
    int next = 0;
    try {
      while (true) {
        int got = drain(next);
        next = (next + got) % frames;
        if (got > 0) {
          lastFrameNanos = System.nanoTime();
        }
        if (stopping && got == 0) {
          return;
        }
        if (stopping) {
          continue; // one more pass: drain until the ring is empty
        }
        PacketLibC.C.poll(pfd, 2, POLL_MILLIS);
      }
    } catch (LastErrorException e) {
      if (e.getErrorCode() != 4) { // EINTR
        readError = e.getMessage();
      }
    } catch (RuntimeException e) {
      readError = e.toString();
    }
  }

  /** Takes every frame the kernel has handed over, starting at {@code from}; returns how many. */
  private int drain(int from) {
    int n = 0;
    int i = from;
    while (n < frames) {
      long base = (long) i * FRAME;
      int status = ring.getInt(base);
      if ((status & TP_STATUS_USER) == 0) {
        break;
      }
      try {
        take(base);
      } finally {
        ring.setInt(base, 0); // TP_STATUS_KERNEL: the slot is the kernel's again
      }
      n++;
      i = (i + 1) % frames;
    }
    return n;
  }

  private void take(long base) {
    int len = ring.getInt(base + 4);
    int snap = ring.getInt(base + 8);
    int mac = ring.getShort(base + 12) & 0xffff;
    int net = ring.getShort(base + 14) & 0xffff;
    long sec = ring.getInt(base + 16) & 0xffffffffL;
    long nsec = ring.getInt(base + 20) & 0xffffffffL;
    int hatype = ring.getShort(base + 32 + 8) & 0xffff;
    int pkttype = ring.getByte(base + 32 + 10) & 0xff;
    if (pkttype == PACKET_OUTGOING && hatype == ARPHRD_LOOPBACK) {
      return; // loopback: the received copy is the one kept
    }
    int have = snap - (net - mac);
    if (have <= 0 || net + have > FRAME) {
      return;
    }
    byte[] b = ring.getByteArray(base + net, have);
    Capture.Packet p = PacketBytes.parse(b, len - (net - mac), sec + nsec / 1e9);
    if (p == null) {
      return;
    }
    if (ignorePort > 0 && (p.srcPort() == ignorePort || p.dstPort() == ignorePort)) {
      ignoredSeen = true;
      return;
    }
    packets.add(p);
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) v;
    b[at + 1] = (byte) (v >> 8);
    b[at + 2] = (byte) (v >> 16);
    b[at + 3] = (byte) (v >> 24);
  }

  private static byte[] intBytes(int v) {
    byte[] b = new byte[4];
    putInt(b, 0, v);
    return b;
  }

  /** True once a segment to or from the ignored port was seen. */
  boolean ignoredSeen() {
    return ignoredSeen;
  }

  /** Nanos (System.nanoTime) of the last frame taken from the ring. */
  long lastFrameNanos() {
    return lastFrameNanos;
  }

  /** The interface this socket is bound to. */
  String iface() {
    return iface;
  }

  /**
   * Stops the reader after it has emptied the ring, frees the ring and the socket, and returns the
   * segments in order. Call it once every segment of interest has reached the ring (see {@link
   * Capture#stop}).
   */
  synchronized List<Capture.Packet> stop() {
    if (closed) {
      return snapshot();
    }
    closed = true;
    stopping = true;
    try {
      PacketLibC.C.write(wake, new byte[] {1, 0, 0, 0, 0, 0, 0, 0}, 8);
    } catch (LastErrorException e) {
      // the reader still ends within one poll timeout
    }
    boolean interrupted =
        false; // an interrupted cell still frees the ring: wait for the reader regardless
    long end = System.nanoTime() + 2_000_000_000L;
    while (reader.isAlive() && System.nanoTime() < end) {
      try {
        reader.join(Math.max(1, (end - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    byte[] stats = new byte[8];
    try {
      PacketLibC.C.getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, stats, new IntByReference(8));
      kernelPackets =
          (stats[0] & 0xffL)
              | (stats[1] & 0xffL) << 8
              | (stats[2] & 0xffL) << 16
              | (stats[3] & 0xffL) << 24;
      kernelDrops =
          (stats[4] & 0xffL)
              | (stats[5] & 0xffL) << 8
              | (stats[6] & 0xffL) << 16
              | (stats[7] & 0xffL) << 24;
    } catch (LastErrorException e) {
      // statistics are a nicety
    }
    if (!reader
        .isAlive()) { // a reader still in the ring would touch freed memory: then the ring and fds
      // stay
      PacketLibC.C.munmap(ring, ringBytes);
      PacketLibC.C.close(fd);
      PacketLibC.C.close(wake);
    }
    return snapshot();
  }

  private List<Capture.Packet> snapshot() {
    synchronized (packets) {
      return List.copyOf(packets); // ring order, as tcpdump prints them
    }
  }

  /**
   * Like tcpdump's closing lines: segments the filter passed and segments the ring had no room for.
   */
  String statistics() {
    return kernelPackets
        + " packets received by filter"
        + (kernelDrops > 0 ? ", " + kernelDrops + " dropped (ring full)" : "")
        + (readError != null ? "; reader failed: " + readError : "");
  }

  /** Drops reported by the kernel (the ring was full), known after {@link #stop}. */
  long drops() {
    return kernelDrops;
  }

  @Override
  public void close() {
    stop();
  }
}
