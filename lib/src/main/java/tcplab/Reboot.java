package tcplab;

import tech.tablesaw.api.Table;

/**
 * Lesson 17, the peer's host crashes (no FIN, no RST: the kernel itself is gone) and reboots: a fresh kernel
 * with the same IP and MAC but no memory of the connection answers the next segment with RST. t = seconds after
 * the crash. Every helper runs on the layer {@link Layers#layer()} chooses and its table's name starts with it
 * (see {@link NoFin}); on the relay, "reboot" means the relay answers the client's next bytes with RST.
 */
public final class Reboot {
  private Reboot() {}

  private static Table run(String helper, java.util.function.Supplier<Table> root,
                           java.util.function.Supplier<Table> relay, String... args) {
    Layers.Layer l = Layers.layer();
    return switch (l) {
      case ROOT -> Layers.named(l, root.get());
      case USERNS -> NoFinMain.run(helper, NoFin.USERNS_DEADLINE_MILLIS, args);
      case RELAY -> Layers.named(l, relay.get());
    };
  }

  /**
   * Idle connection; the server host crashes, reboots after 500 ms; the client writes: the write succeeds (16),
   * the next read gets "Connection reset" (the new kernel's RST), the write after that "Broken pipe".
   */
  public static Table idleThenWrite() {
    return run("idleThenWrite", RebootRoot::idleThenWrite, RebootRelay::idleThenWrite);
  }

  /**
   * {@link #idleThenWrite()} with the packets (ROOT layer, tcpdump inside the client host): the client's data and
   * the rebooted kernel's RST. Elsewhere the same table with a note saying why there are no packets.
   */
  public static Wire idleThenWriteWire() {
    Layers.Layer l = Layers.layer();
    if (l != Layers.Layer.ROOT) {
      return WireTap.without(idleThenWrite(), "no packets: capture needs the root layer, and this run used "
          + l.label().strip());
    }
    WireTap tap = new WireTap();
    try {
      return tap.wire(Layers.named(l, RebootRoot.idleThenWrite(tap)));
    } finally {
      tap.stop();
    }
  }

  /**
   * The server host crashes; the client writes 16 bytes while it is down and blocks in read(); the host reboots
   * after {@code downMillis}: the next retransmission (exponential backoff) draws the RST.
   */
  public static Table unackedData(int downMillis) {
    Check.range("downMillis", downMillis, 0, 6_000, "ms");
    return run("unackedData", () -> RebootRoot.unackedData(downMillis), () -> RebootRelay.unackedData(downMillis),
        "" + downMillis);
  }

  /** A client that only reads: without keepalive it never notices (SO_TIMEOUT fires, still ESTABLISHED). */
  public static Table readerWithoutKeepalive(int soTimeoutMillis) {
    Check.range("soTimeoutMillis", soTimeoutMillis, 200, 10_000, "ms");
    return run("readerWithoutKeepalive", () -> RebootRoot.readerWithoutKeepalive(soTimeoutMillis),
        () -> RebootRelay.readerWithoutKeepalive(soTimeoutMillis), "" + soTimeoutMillis);
  }

  /** The same reader with keepalive 1/1/2: the first probe meets the rebooted kernel and gets "Connection reset". */
  public static Table readerWithKeepalive() {
    return run("readerWithKeepalive", RebootRoot::readerWithKeepalive, RebootRelay::readerWithKeepalive);
  }

  /** The rebooted host listens on the same port again: the old connection gets RST, a new connection works. */
  public static Table listensAgain() {
    return run("listensAgain", RebootRoot::listensAgain, RebootRelay::listensAgain);
  }
}
