package tcplab.observe;

/**
 * Reads one IPv4 or IPv6 TCP segment from the bytes a {@link PacketSocket} took from its ring (from
 * the IP header on), as tcpdump {@code -n -S} would print it.
 */
final class PacketBytes {
  private PacketBytes() {}

  /**
   * One IPv4 or IPv6 TCP segment as tcpdump {@code -n -S} prints it: flags "S.", seq and seq+length
   * only for segments with data, SYN, FIN or RST; ack only with the ACK flag; length is the TCP
   * payload. Null for anything else. {@code wireLength} is the length of the IP packet on the wire
   * (for a cut-off header).
   */
  static Capture.Packet parse(byte[] b, int wireLength, double epochSeconds) {
    if (b.length < 20) {
      return null;
    }
    int version = (b[0] & 0xf0) >> 4;
    String src;
    String dst;
    int tcp;
    int payloadEnd; // IP packet length
    if (version == 4) {
      int ihl = (b[0] & 0x0f) * 4;
      if (b[9] != 6 || ihl < 20 || (u16(b, 6) & 0x1fff) != 0) {
        return null;
      }
      src = ipv4(b, 12);
      dst = ipv4(b, 16);
      tcp = ihl;
      int total = u16(b, 2);
      payloadEnd = total == 0 ? wireLength : total; // 0: a GSO packet over 64 KiB (BIG TCP)
    } else if (version == 6) {
      if (b.length < 40 || b[6] != 6) {
        return null;
      }
      src = ipv6(b, 8);
      dst = ipv6(b, 24);
      tcp = 40;
      int payload = u16(b, 4);
      payloadEnd = payload == 0 ? wireLength : 40 + payload;
    } else {
      return null;
    }
    if (b.length < tcp + 20) {
      return null;
    }
    int srcPort = u16(b, tcp);
    int dstPort = u16(b, tcp + 2);
    long seq = u32(b, tcp + 4);
    long ack = u32(b, tcp + 8);
    int thl = ((b[tcp + 12] & 0xf0) >> 4) * 4;
    int f = b[tcp + 13] & 0xff;
    int length = Math.max(0, payloadEnd - tcp - thl);
    StringBuilder flags = new StringBuilder();
    String[] names = {
      "F", "S", "R", "P", ".", "U", "E", "W"
    }; // tcpdump's order: FIN SYN RST PSH ACK URG ECE CWR
    for (int i = 0; i < 8; i++) {
      if ((f & (1 << i)) != 0) {
        flags.append(names[i]);
      }
    }
    boolean withSeq = length > 0 || (f & 0x07) != 0;
    int window = b.length >= tcp + 16 ? u16(b, tcp + 14) : -1;
    int wscale = (f & 0x02) != 0 ? wscale(b, tcp + 20, Math.min(b.length, tcp + thl)) : -1;
    return new Capture.Packet(
        Math.round(epochSeconds * 1e6) / 1e6,
        src,
        srcPort,
        dst,
        dstPort,
        flags.length() == 0 ? "none" : flags.toString(),
        withSeq ? seq : -1,
        withSeq ? (seq + length) & 0xffffffffL : -1,
        (f & 0x10) != 0 ? ack : -1,
        length,
        window,
        wscale);
  }

  /** The window-scale option (kind 3) among the TCP options in b[from, to), or -1. */
  private static int wscale(byte[] b, int from, int to) {
    for (int i = from; i < to; ) {
      int kind = b[i] & 0xff;
      if (kind == 0) {
        return -1;
      }
      if (kind == 1) {
        i++;
        continue;
      }
      if (i + 1 >= to) {
        return -1;
      }
      int len = b[i + 1] & 0xff;
      if (kind == 3 && len == 3 && i + 2 < to) {
        return b[i + 2] & 0xff;
      }
      if (len < 2) {
        return -1;
      }
      i += len;
    }
    return -1;
  }

  private static int u16(byte[] b, int i) {
    return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
  }

  private static long u32(byte[] b, int i) {
    return ((long) u16(b, i) << 16) | u16(b, i + 2);
  }

  private static String ipv4(byte[] b, int i) {
    return (b[i] & 0xff)
        + "."
        + (b[i + 1] & 0xff)
        + "."
        + (b[i + 2] & 0xff)
        + "."
        + (b[i + 3] & 0xff);
  }

  /** RFC 5952 text, as tcpdump prints it: "::1", "fe80::1", "::ffff:127.0.0.1". */
  static String ipv6(byte[] b, int i) {
    int[] w = new int[8];
    for (int k = 0; k < 8; k++) {
      w[k] = u16(b, i + 2 * k);
    }
    if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0xffff) {
      return "::ffff:" + ipv4(b, i + 12);
    }
    int bestAt = -1;
    int bestLen = 1;
    for (int k = 0; k < 8; ) {
      if (w[k] != 0) {
        k++;
        continue;
      }
      int j = k;
      while (j < 8 && w[j] == 0) {
        j++;
      }
      if (j - k > bestLen) {
        bestLen = j - k;
        bestAt = k;
      }
      k = j;
    }
    StringBuilder s = new StringBuilder();
    for (int k = 0; k < 8; k++) {
      if (k == bestAt) {
        s.append("::");
        k += bestLen - 1;
        continue;
      }
      if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
        s.append(':');
      }
      s.append(Integer.toHexString(w[k]));
    }
    return s.toString();
  }
}
