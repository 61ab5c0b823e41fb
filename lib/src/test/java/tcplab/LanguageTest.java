package tcplab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.draw.Html;
import tcplab.draw.Ladder;
import tcplab.text.Text;
import tech.tablesaw.api.Table;

/**
 * The lab speaks English and Chinese: both bundles have the same keys, none empty, with the same
 * placeholders; {@link Lab#language} turns a real calls table's header Chinese and back; a bad tag
 * is one sentence; English stays exactly as it was.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LanguageTest {

  @AfterEach
  void backToEnglish() {
    Lab.language("en"); // the tests share a JVM
  }

  static Properties bundle(String file) throws IOException {
    try (InputStream in = LanguageTest.class.getResourceAsStream("/tcplab/i18n/" + file)) {
      assertTrue(in != null, file + " is on the class path");
      byte[] bytes = in.readAllBytes();
      String text;
      try { // strict: a file that is not UTF-8 would be read as ISO-8859-1, silently
        text =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
      } catch (CharacterCodingException e) {
        throw new AssertionError(file + " is not UTF-8: " + e);
      }
      Properties p = new Properties();
      p.load(new java.io.StringReader(text));
      return p;
    }
  }

  static TreeSet<String> placeholders(String value) {
    TreeSet<String> out = new TreeSet<>();
    Matcher m = Text.PLACEHOLDER.matcher(value);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  @Test
  void everyKeyIsInBothBundlesWithAValueAndTheSamePlaceholders() throws IOException {
    Properties en = bundle("Messages.properties");
    Properties zh = bundle("Messages_zh.properties");
    List<String> problems = new ArrayList<>();
    for (String k : new TreeSet<>(en.stringPropertyNames())) {
      if (!zh.containsKey(k)) {
        problems.add(k + ": not in Messages_zh.properties");
      }
    }
    for (String k : new TreeSet<>(zh.stringPropertyNames())) {
      if (!en.containsKey(k)) {
        problems.add(k + ": not in Messages.properties");
      }
    }
    for (Properties p : List.of(en, zh)) {
      for (String k : new TreeSet<>(p.stringPropertyNames())) {
        if (p.getProperty(k).isBlank()) {
          problems.add(k + ": empty value in " + (p == en ? "English" : "Chinese"));
        }
      }
    }
    for (String k : new TreeSet<>(en.stringPropertyNames())) {
      if (zh.containsKey(k)
          && !placeholders(en.getProperty(k)).equals(placeholders(zh.getProperty(k)))) {
        problems.add(
            k
                + ": placeholders "
                + placeholders(en.getProperty(k))
                + " in English, "
                + placeholders(zh.getProperty(k))
                + " in Chinese");
      }
    }
    assertEquals(List.of(), problems);
    assertTrue(en.size() > 100, "the English bundle has " + en.size() + " keys");
    assertEquals("核对", zh.getProperty("col.check"));
    assertEquals("预期(Linux)", zh.getProperty("col.expected"));
  }

  @Test
  void chineseTurnsARealCallsTableChineseAndEnglishTurnsItBack() {
    Result r = Lesson.halfClose().run();
    Table calls = r.calls();

    Lab.language("zh");
    assertEquals("zh", Text.language());
    String html = Html.table(calls);
    String text = Html.text(calls);
    for (String shown : List.of(html, text)) {
      assertTrue(shown.contains("核对"), shown);
      assertTrue(shown.contains("预期(Linux)"), shown);
      assertFalse(shown.contains("expected (Linux)"), shown);
    }
    assertTrue(html.contains(">核对</th>"), html);
    if (!r.cViews().isEmpty()) { // with the C view every step is checked
      assertTrue(html.contains(">符合预期</td>"), html);
    }
    assertTrue(r.summary().contains("步"), r.summary());
    assertTrue(r.ladderText(false).contains("客户端"), r.ladderText(false));
    // the table itself keeps its English names: code and the claims read them
    assertTrue(calls.columnNames().contains("check"), calls.columnNames().toString());

    Lab.language("en");
    String back = Html.table(calls);
    assertTrue(back.contains(">check</th>"), back);
    assertTrue(back.contains(">expected (Linux)</th>"), back);
    assertFalse(back.contains("核对"), back);
    assertEquals(calls.printAll(), Html.text(calls), "English text is the table as printed");
    assertTrue(r.summary().startsWith(r.name() + ": "), r.summary());
  }

  @Test
  void aBadTagIsOneSentenceNamingTheParameterAndTheValues() {
    for (String bad : new String[] {"fr", "", "ZH", "zh_CN", null}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Lab.language(bad));
      String expected =
          "tag must be \"en\" (English) or \"zh\" (Chinese); got "
              + (bad == null ? "null" : "\"" + bad + "\"")
              + ".";
      assertEquals(expected, e.getMessage());
      assertEquals(expected, e.toString(), "no class name, no stack trace in the printout");
      assertEquals("en", Text.language(), "a refused tag changes nothing");
    }
  }

  @Test
  void englishParameterMessagesAreUnchangedAndChineseOnesNameTheParameter() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Check.range("n", 5, 1, 3, "ms"));
    assertEquals("n must be between 1 and 3 ms; got 5.", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> Parameters.range("bufferBytes", 0, 1, 9, ""));
    assertEquals("bufferBytes must be between 1 and 9; got 0.", e.getMessage());

    Lab.language("zh");
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Parameters.range("bufferBytes", 0, 1, 9, "bytes"));
    assertEquals("bufferBytes 必须在 1 到 9 bytes 之间；收到的是 0。", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Parameters.each("drops", new int[] {1, 7}, 1, 4, 3, ""));
    assertEquals("drops（每个值） 必须在 1 到 4 之间；收到的是 7。", e.getMessage());
  }

  @Test
  void theDefaultFollowsTheLocale() {
    assertEquals("zh", Text.fromLocale(Locale.SIMPLIFIED_CHINESE));
    assertEquals("zh", Text.fromLocale(Locale.TRADITIONAL_CHINESE));
    assertEquals("zh", Text.fromLocale(new Locale("zh")));
    assertEquals("en", Text.fromLocale(Locale.US));
    assertEquals("en", Text.fromLocale(Locale.FRANCE));
    assertEquals("en", Text.fromLocale(Locale.ROOT));
  }

  @Test
  void shownTextsAndLadders() {
    String note = "no packet capture here: tcpdump is not installed (apt-get install tcpdump)";
    assertEquals(note, Text.shown(note), "English is never touched");
    String englishLadder =
        Ladder.text("halfClose (C pass)", Ladder.noPackets(note), List.of(), List.of());
    assertTrue(englishLadder.contains("client"), englishLadder);
    assertTrue(englishLadder.contains("No packets on this ladder"), englishLadder);

    Lab.language("zh");
    assertEquals("此处不能抓包：没有安装 tcpdump (apt-get install tcpdump)", Text.shown(note), "parts");
    assertEquals(
        "没有报文：此处不能抓包：已关闭 (tcplab.capture=off)",
        Text.shown("No packets: no packet capture here: turned off (tcplab.capture=off)"),
        "a note template, its argument made of parts");
    assertEquals("不符：预期 -1 EPIPE", Text.shown("MISMATCH: expected -1 EPIPE"), "a template");
    assertEquals(
        "SocketException: Connection reset",
        Text.shown("SocketException: Connection reset"),
        "Java exception messages stay as printed");
    assertEquals(
        "[真实内核，root] 崩溃 + 重启：客户端的 write 成功，然后收到 RST",
        Text.shown("[real kernels, root] Crash + reboot: the client's write succeeds, then RST"));
    String ladder = Ladder.text("halfClose (C pass)", Ladder.noPackets(note), List.of(), List.of());
    assertTrue(ladder.contains("客户端") && ladder.contains("服务端"), ladder);
    assertTrue(ladder.contains("这张时序图上没有报文"), ladder);
    assertTrue(ladder.contains("halfClose（C 运行）"), ladder);
    for (String line : ladder.split("\n")) { // a Chinese character is two columns wide
      int columns = line.codePoints().map(c -> c >= 0x2E80 ? 2 : 1).sum();
      assertTrue(columns <= 3 + 96, columns + " columns: " + line);
    }
    String longNote =
        "no packet capture here: tcpdump needs root or CAP_NET_RAW; to turn them on, an"
            + " administrator runs `sudo tools/lab.sh capture` once (students then log in again)";
    String wrapped = Ladder.text("t", Ladder.noPackets(longNote), List.of(), List.of());
    assertTrue(wrapped.contains("管理员"), wrapped);
    long noticeLines = wrapped.lines().filter(l -> l.startsWith("!! ")).count();
    assertTrue(noticeLines >= 2, "the long Chinese notice wraps by columns: " + wrapped);
    for (String line : wrapped.split("\n")) {
      int columns = line.codePoints().map(c -> c >= 0x2E80 ? 2 : 1).sum();
      assertTrue(columns <= 3 + 96, columns + " columns: " + line);
    }
  }
}
