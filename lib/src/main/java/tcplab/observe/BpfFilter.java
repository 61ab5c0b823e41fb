package tcplab.observe;

import java.util.ArrayList;
import java.util.List;

/**
 * The classic BPF program a {@link PacketSocket} attaches: the one {@code tcpdump -d "tcp and (port
 * a or port b ...)"} prints, for Ethernet-framed links (lo, veth), IPv4 and IPv6. Each instruction
 * is {@code {code, jt, jf, k}} (struct sock_filter).
 */
final class BpfFilter {
  private BpfFilter() {}

  /**
   * The BPF program of {@code tcpdump -d "tcp and (port a or ...)"} for Ethernet-framed links (lo,
   * veth).
   */
  static long[][] filter(int[] ports) {
    List<long[]> p = new ArrayList<>();
    List<int[]> fix = new ArrayList<>(); // instruction index, 1 = jt / 2 = jf, label
    final int accept = -1, drop = -2, ipv6 = -3;
    p.add(new long[] {0x28, 0, 0, 12}); // ldh [12]
    p.add(new long[] {0x15, 0, 0, 0x800}); // jeq IPv4
    fix.add(new int[] {1, 2, ipv6});
    p.add(new long[] {0x30, 0, 0, 23}); // ldb [23]: IP protocol
    p.add(new long[] {0x15, 0, 0, 6});
    fix.add(new int[] {3, 2, drop});
    p.add(new long[] {0x28, 0, 0, 20}); // ldh [20]: fragment offset
    p.add(new long[] {0x45, 0, 0, 0x1fff});
    fix.add(new int[] {5, 1, drop});
    p.add(new long[] {0xb1, 0, 0, 14}); // ldxb 4*([14]&0xf)
    for (int off : new int[] {14, 16}) { // source port, destination port
      p.add(new long[] {0x48, 0, 0, off}); // ldh [x + off]
      for (int port : ports) {
        fix.add(new int[] {p.size(), 1, accept});
        p.add(new long[] {0x15, 0, 0, port});
      }
    }
    p.add(new long[] {0x06, 0, 0, 0}); // ret #0
    int v6 = p.size();
    p.add(new long[] {0x15, 0, 0, 0x86dd});
    fix.add(new int[] {v6, 2, drop});
    p.add(new long[] {0x30, 0, 0, 20}); // ldb [20]: next header
    p.add(new long[] {0x15, 0, 0, 6});
    fix.add(new int[] {v6 + 2, 2, drop});
    for (int off : new int[] {54, 56}) {
      p.add(new long[] {0x28, 0, 0, off});
      for (int port : ports) {
        fix.add(new int[] {p.size(), 1, accept});
        p.add(new long[] {0x15, 0, 0, port});
      }
    }
    p.add(new long[] {0x06, 0, 0, 0});
    int acceptAt = p.size();
    p.add(new long[] {0x06, 0, 0, 262144}); // ret #262144
    int dropAt = p.size();
    p.add(new long[] {0x06, 0, 0, 0});
    for (int[] f : fix) {
      int target = f[2] == accept ? acceptAt : f[2] == drop ? dropAt : v6;
      int off = target - f[0] - 1;
      if (off < 0 || off > 255) {
        throw new IllegalArgumentException("too many ports for one filter: " + ports.length);
      }
      p.get(f[0])[f[1]] = off;
    }
    return p.toArray(new long[0][]);
  }
}
