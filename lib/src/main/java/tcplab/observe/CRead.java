package tcplab.observe;

import java.nio.charset.StandardCharsets;

/**
 * The C view of one recv()/read(): the call's result plus the bytes it returned.
 *
 * @param result what recv returned (byte count, 0 at EOF, or -1 with errno)
 * @param data the bytes read (empty unless result.value() &gt; 0)
 */
public record CRead(CResult result, byte[] data) {
  /**
   * Like {@link CResult#text()}, plus the bytes as text when some were read, e.g. {@code 5
   * "hello"}.
   */
  public String text() {
    return data.length == 0
        ? result.text()
        : result.text() + " \"" + new String(data, StandardCharsets.UTF_8) + "\"";
  }

  @Override
  public String toString() {
    return text();
  }
}
