package tcplab.observe;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the lines tcpdump prints with {@code -n -tt -S}: one TCP segment per line, as a {@link
 * Capture.Packet}.
 */
final class TcpdumpLine {
  private static final Pattern LINE =
      Pattern.compile(
          "^(\\d+\\.\\d+) IP6? (\\S+)\\.(\\d+) > (\\S+)\\.(\\d+): Flags \\[([^\\]]*)\\](.*)$");
  private static final Pattern SEQ = Pattern.compile(", seq (\\d+)(?::(\\d+))?");
  private static final Pattern ACK = Pattern.compile(", ack (\\d+)");
  private static final Pattern LENGTH = Pattern.compile(", length (\\d+)");
  private static final Pattern WIN = Pattern.compile(", win (\\d+)");
  private static final Pattern WSCALE = Pattern.compile("wscale (\\d+)");

  private TcpdumpLine() {}

  /** Parses one tcpdump {@code -n -tt -S} line; empty for anything that is not a TCP segment. */
  static Optional<Capture.Packet> parse(String line) {
    Matcher m = LINE.matcher(line.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    String rest = m.group(7);
    Matcher s = SEQ.matcher(rest);
    long seq = -1;
    long seqEnd = -1;
    if (s.find()) {
      seq = Long.parseLong(s.group(1));
      seqEnd = s.group(2) != null ? Long.parseLong(s.group(2)) : seq;
    }
    Matcher a = ACK.matcher(rest);
    Matcher l = LENGTH.matcher(rest);
    Matcher w = WIN.matcher(rest);
    Matcher ws = WSCALE.matcher(rest);
    return Optional.of(
        new Capture.Packet(
            Double.parseDouble(m.group(1)),
            m.group(2),
            Integer.parseInt(m.group(3)),
            m.group(4),
            Integer.parseInt(m.group(5)),
            m.group(6),
            seq,
            seqEnd,
            a.find() ? Long.parseLong(a.group(1)) : -1,
            l.find() ? Integer.parseInt(l.group(1)) : 0,
            w.find() ? Integer.parseInt(w.group(1)) : -1,
            ws.find() ? Integer.parseInt(ws.group(1)) : -1));
  }
}
