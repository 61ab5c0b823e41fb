package tcplab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The links between the notebooks, and the readers' index (notebook 09: the lesson's 30 reader
 * comments, each with the section that answers it).
 *
 * <p><b>The anchor rule.</b> Jupyter Notebook 6.4 gives a rendered markdown heading the id {@code
 * h.text().replace(/ /g, '-')} (notebook/static/notebook/js/textcell.js): the heading's text as
 * rendered (markup such as backticks gone, every other character kept: {@code : ( ) ? ' , . "}),
 * each space replaced by {@code -}. On load it re-applies the URL's {@code #fragment}, so a link
 * {@code 03-x.ipynb#A} opens notebook 03 at that heading. nbconvert 6.5 (HTML pages, {@code
 * filters/strings.py} {@code _convert_header_id}) makes the same id and then percent-encodes every
 * character except letters, digits, {@code -._~} and {@code ?/:@!$&'()*+,;=} (so {@code "} becomes
 * {@code %22}). A browser looks a fragment up as written and then percent-decoded, so a link works
 * in both when its fragment, percent-decoded, is the heading's text with spaces replaced by {@code
 * -}: that is what this test requires. Links write {@code (} {@code )} {@code "} as {@code %28}
 * {@code %29} {@code %22} (a raw parenthesis ends a link in older Markdown parsers, mistune 0.8
 * among them), and never a raw space.
 *
 * <p>{@code -Dtcplab.notebooks=DIR} checks the sources in another folder (default {@code
 * ../notebooks/src}); with the environment variable {@code TCPLAB_SEEDS} set to the folder of the
 * lesson's page, the index's commenters and quotations are also compared with the page.
 */
@Timeout(30)
class NotebookLinksTest {
  static final Path SRC = Path.of(System.getProperty("tcplab.notebooks", "../notebooks/src"));
  static final String INDEX = "09-readers-ask";

  /**
   * The commenters of the lesson's 30 comments, in the order the lesson's page shows them (精选留言,
   * /work/shared/seeds in the project's notes; set TCPLAB_SEEDS to that folder to compare).
   */
  static final List<String> COMMENTERS =
      List.of(
          "传说中的成大大",
          "melon",
          "linker",
          "盘尼西林",
          "tim",
          "geraltlaush",
          "Jason",
          "yang",
          "徐凯",
          "yusuf",
          "Bin Watson",
          "林林",
          "highfly029",
          "James",
          "Steiner",
          "duckman",
          "Passion",
          "Simple life",
          "郑祖煌",
          "Geek_76f04f",
          "Alex",
          "吴向兵",
          "HerofH",
          "钱",
          "林林",
          "JasonZhi",
          "JasonZhi",
          "微思",
          "传说中的成大大",
          "石将从");

  static final Pattern HEADING = Pattern.compile("^(#{1,6})[ \t]+(.*?)[ \t#]*$");
  static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]*)\\)");
  static final Pattern NOTEBOOK_LINK =
      Pattern.compile("^(?:\\./)?([0-9]{2}-[A-Za-z0-9-]+)\\.ipynb(?:#(.*))?$");
  static final Pattern ENTRY = Pattern.compile("^(\\d{1,2})\\. \\*\\*(.+?)\\*\\* “(.+)”\\s*$");

  /** The id Jupyter gives a heading written as {@code text} in Markdown (see the class comment). */
  static String anchor(String text) {
    String t = text.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1"); // [text](url) renders as text
    t = t.replace("`", "").replace("**", "").replace("*", "");
    return t.replace(' ', '-');
  }

  /** Lines outside fenced code blocks, numbered from 1. */
  static Map<Integer, String> prose(Path md) throws IOException {
    Map<Integer, String> out = new LinkedHashMap<>();
    boolean fence = false;
    int n = 0;
    for (String line : Files.readAllLines(md)) {
      n++;
      if (line.stripLeading().startsWith("```")) {
        fence = !fence;
        continue;
      }
      if (!fence) out.put(n, line);
    }
    return out;
  }

  static Map<String, Set<String>> anchorsOfAllSources() throws IOException {
    Map<String, Set<String>> anchors = new LinkedHashMap<>();
    for (Path md : sources()) {
      Set<String> ids = new LinkedHashSet<>();
      for (String line : prose(md).values()) {
        Matcher h = HEADING.matcher(line);
        if (h.matches()) ids.add(anchor(h.group(2)));
      }
      anchors.put(name(md), ids);
    }
    return anchors;
  }

  static List<Path> sources() throws IOException {
    assertTrue(
        Files.isDirectory(SRC),
        "no notebook sources at " + SRC.toAbsolutePath().normalize() + " (run the tests in lib/)");
    try (Stream<Path> s = Files.list(SRC)) {
      return s.filter(p -> p.getFileName().toString().matches("\\d\\d-.*\\.md")).sorted().toList();
    }
  }

  static String name(Path md) {
    String f = md.getFileName().toString();
    return f.substring(0, f.length() - 3);
  }

  /** Why a link target does not resolve, or null when it does. */
  static String problem(String target, String from, Map<String, Set<String>> anchors) {
    if (target.chars().anyMatch(c -> c == '(' || c == '"' || c == '<' || c == '>')) {
      return "write ( ) \" < > in a link as %28 %29 %22 %3C %3E";
    }
    String notebook;
    String fragment;
    if (target.startsWith("#")) {
      notebook = from;
      fragment = target.substring(1);
    } else {
      Matcher m = NOTEBOOK_LINK.matcher(target);
      if (!m.matches()) {
        return target.contains(".ipynb")
            ? "a link to a notebook is NN-name.ipynb or NN-name.ipynb#Anchor (same folder)"
            : null; // not a link between notebooks
      }
      notebook = m.group(1);
      fragment = m.group(2);
      if (!anchors.containsKey(notebook)) {
        return "no notebook " + notebook + " (no notebooks/src/" + notebook + ".md)";
      }
    }
    if (fragment == null) return null;
    String id;
    try {
      id = URLDecoder.decode(fragment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "the anchor is not valid percent-encoding: " + e.getMessage();
    }
    if (anchors.get(notebook).contains(id)) return null;
    return "missing anchor: notebook "
        + notebook
        + " has no heading whose Jupyter id is \""
        + id
        + "\"";
  }

  @Test
  void everyLinkBetweenNotebooksResolves() throws IOException {
    Map<String, Set<String>> anchors = anchorsOfAllSources();
    List<String> broken = new ArrayList<>();
    int links = 0;
    for (Path md : sources()) {
      for (Map.Entry<Integer, String> line : prose(md).entrySet()) {
        links +=
            checkLinks(
                line.getValue(),
                name(md),
                anchors,
                "notebooks/src/" + name(md) + ".md:" + line.getKey(),
                broken);
      }
    }
    if (!broken.isEmpty()) {
      fail(
          broken.size()
              + " of "
              + links
              + " links between notebooks do not resolve (the anchor of a heading is its text with"
              + " spaces replaced by '-'; headings of issue 11 written on other branches exist only"
              + " once the lead has merged them):\n  "
              + String.join("\n  ", broken));
    }
    assertTrue(links >= 30, "the readers' index alone links more than 30 times; found " + links);
  }

  /**
   * The Chinese edition as generated ({@code notebooks/zh/*.ipynb}, {@code
   * -Dtcplab.notebooks.zh=DIR}): one notebook per English source, and every link between its
   * notebooks resolves to a heading of the Chinese notebooks (nbgen.py maps the English anchors of
   * notebooks/src/zh/*.md to the aligned Chinese headings; this checks the result a reader clicks,
   * by the same anchor rule).
   */
  @Test
  void everyLinkOfTheChineseEditionResolves() throws IOException {
    Path zh = Path.of(System.getProperty("tcplab.notebooks.zh", SRC.resolve("../zh").toString()));
    List<String> broken = new ArrayList<>();
    Map<String, List<String>> markdown = new LinkedHashMap<>();
    for (Path md : sources()) {
      Path nb = zh.resolve(name(md) + ".ipynb");
      if (!Files.exists(nb)) {
        broken.add(
            "notebooks/zh/"
                + name(md)
                + ".ipynb is missing (notebooks/src/zh/"
                + name(md)
                + ".md, then make notebooks)");
        continue;
      }
      markdown.put(name(md), markdownCells(Files.readString(nb)));
    }
    Map<String, Set<String>> anchors = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> nb : markdown.entrySet()) {
      Set<String> ids = new LinkedHashSet<>();
      for (String cell : nb.getValue()) {
        for (String line : proseLines(cell)) {
          Matcher h = HEADING.matcher(line);
          if (h.matches()) ids.add(anchor(h.group(2)));
        }
      }
      anchors.put(nb.getKey(), ids);
    }
    int links = 0;
    for (Map.Entry<String, List<String>> nb : markdown.entrySet()) {
      int cellNo = 0;
      for (String cell : nb.getValue()) {
        cellNo++;
        for (String line : proseLines(cell)) {
          links +=
              checkLinks(
                  line,
                  nb.getKey(),
                  anchors,
                  "notebooks/zh/" + nb.getKey() + ".ipynb markdown cell " + cellNo,
                  broken);
        }
      }
    }
    if (!broken.isEmpty()) {
      fail(
          broken.size()
              + " problems with the links of the Chinese edition (make notebooks maps them from"
              + " notebooks/src/zh/*.md; a notebook whose Chinese source is missing keeps English"
              + " anchors):\n  "
              + String.join("\n  ", broken));
    }
    assertTrue(
        links >= 30, "the Chinese readers' index alone links more than 30 times; found " + links);
  }

  /**
   * The links of one line of prose in notebook {@code from}: each that does not resolve is added to
   * {@code broken} after {@code where}; returns how many of them lead to a notebook or a heading.
   */
  static int checkLinks(
      String line,
      String from,
      Map<String, Set<String>> anchors,
      String where,
      List<String> broken) {
    int links = 0;
    Matcher l = LINK.matcher(line);
    while (l.find()) {
      if (l.group(1).contains(".ipynb") || l.group(1).startsWith("#")) links++;
      String why = problem(l.group(1), from, anchors);
      if (why != null) {
        broken.add(where + " " + l.group(1) + "\n    " + why);
      }
    }
    return links;
  }

  static List<String> proseLines(String cell) {
    List<String> out = new ArrayList<>();
    boolean fence = false;
    for (String line : cell.split("\n", -1)) {
      if (line.stripLeading().startsWith("```")) {
        fence = !fence;
        continue;
      }
      if (!fence) out.add(line);
    }
    return out;
  }

  /**
   * The sources of the markdown cells of a notebook file (a small JSON reader: no library needed).
   */
  @SuppressWarnings("unchecked")
  static List<String> markdownCells(String ipynb) {
    Map<String, Object> nb = (Map<String, Object>) new Json(ipynb).value();
    List<String> out = new ArrayList<>();
    for (Object c : (List<Object>) nb.get("cells")) {
      Map<String, Object> cell = (Map<String, Object>) c;
      if (!"markdown".equals(cell.get("cell_type"))) continue;
      Object src = cell.get("source");
      out.add(src instanceof List<?> parts ? String.join("", (List<String>) parts) : (String) src);
    }
    return out;
  }

  /** JSON as nbformat writes it: objects, arrays, strings, numbers, true, false, null. */
  static final class Json {
    final String s;
    int i;

    Json(String s) {
      this.s = s;
    }

    Object value() {
      skip();
      char c = s.charAt(i);
      if (c == '{') {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        skip();
        if (s.charAt(i) == '}') {
          i++;
          return m;
        }
        while (true) {
          skip();
          String k = string();
          skip();
          expect(':');
          m.put(k, value());
          skip();
          if (s.charAt(i++) == '}') return m;
        }
      }
      if (c == '[') {
        List<Object> a = new ArrayList<>();
        i++;
        skip();
        if (s.charAt(i) == ']') {
          i++;
          return a;
        }
        while (true) {
          a.add(value());
          skip();
          if (s.charAt(i++) == ']') return a;
        }
      }
      if (c == '"') return string();
      int start = i;
      while (i < s.length() && ",}] \n\r\t".indexOf(s.charAt(i)) < 0) i++;
      String word = s.substring(start, i);
      return switch (word) {
        case "true" -> Boolean.TRUE;
        case "false" -> Boolean.FALSE;
        case "null" -> null;
        default -> Double.valueOf(word);
      };
    }

    String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = s.charAt(i++);
        if (c == '"') return b.toString();
        if (c != '\\') {
          b.append(c);
          continue;
        }
        char e = s.charAt(i++);
        switch (e) {
          case 'n' -> b.append('\n');
          case 't' -> b.append('\t');
          case 'r' -> b.append('\r');
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'u' -> {
            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
          }
          default -> b.append(e);
        }
      }
    }

    void expect(char c) {
      if (s.charAt(i) != c)
        throw new IllegalArgumentException("JSON: '" + c + "' expected at " + i);
      i++;
    }

    void skip() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    }
  }

  @Test
  void anchorRuleIsJupytersOnKnownHeadings() {
    // ids as Jupyter Notebook 6.4 renders them (checked in its textcell.js: h.text().replace(/ /g,
    // '-'))
    assertEquals(
        "4.-Java-is-different:-close()-with-unread-data",
        anchor("4. Java is different: `close()` with unread data"));
    assertEquals(
        "Can-an-RST-tell-shutdown(SHUT_RD)-from-a-reboot?",
        anchor("Can an RST tell shutdown(SHUT_RD) from a reboot?"));
    assertEquals(
        "What-the-lesson's-C-programs-print", anchor("What the lesson's C programs print"));
    Map<String, Set<String>> one =
        Map.of("03-x", Set.of("1.-The-peer-closed-(FIN):-a-write-that-\"works\""));
    assertEquals(
        null,
        problem("03-x.ipynb#1.-The-peer-closed-%28FIN%29:-a-write-that-%22works%22", "09", one));
    assertTrue(problem("03-x.ipynb#1.-The-peer-closed-(FIN)", "09", one).startsWith("write ("));
    assertTrue(problem("03-x.ipynb#The-peer-closed", "09", one).startsWith("missing anchor"));
    assertTrue(problem("04-y.ipynb#A", "09", one).startsWith("no notebook 04-y"));
    // the Chinese edition is read from its notebooks: markdown cells, source as a list of lines
    assertEquals(
        List.of("# 标题 (a)\n[x](#标题-%28a%29)"),
        markdownCells(
            "{\"cells\": [{\"cell_type\": \"markdown\", \"metadata\": {}, \"source\": [\"# \\u6807题"
                + " (a)\\n\", \"[x](#标题-%28a%29)\"]}, {\"cell_type\": \"code\", \"execution_count\":"
                + " null, \"outputs\": [], \"source\": \"x\"}], \"nbformat\": 4}"));
    assertEquals(null, problem("#标题-%28a%29", "09", Map.of("09", Set.of(anchor("标题 (a)")))));
  }

  /** One entry of the readers' index: its number, commenter, quote and the lines below it. */
  record Entry(int line, int number, String who, String quote, List<String> body) {
    String part(String label) {
      String head = "- **" + label + ":** ";
      return body.stream()
          .map(String::strip)
          .filter(s -> s.startsWith(head))
          .map(s -> s.substring(head.length()).strip())
          .findFirst()
          .orElse(null);
    }
  }

  static List<Entry> entries() throws IOException {
    Path md = SRC.resolve(INDEX + ".md");
    assertTrue(Files.exists(md), "no readers' index notebooks/src/" + INDEX + ".md");
    List<Entry> entries = new ArrayList<>();
    Entry open = null;
    for (Map.Entry<Integer, String> line : prose(md).entrySet()) {
      String s = line.getValue();
      Matcher e = ENTRY.matcher(s);
      if (e.matches()) {
        open =
            new Entry(
                line.getKey(),
                Integer.parseInt(e.group(1)),
                e.group(2),
                e.group(3),
                new ArrayList<>());
        entries.add(open);
      } else if (open != null && (s.startsWith(" ") || s.isBlank())) {
        if (!s.isBlank()) open.body().add(s);
      } else {
        open = null; // a heading, a cell marker or other prose ends an entry
      }
    }
    return entries;
  }

  /** The sentence without code spans and quotations, where a full stop does not end it. */
  static String bare(String s) {
    return s.replaceAll("`[^`]*`", "x").replaceAll("\"[^\"]*\"", "x").replaceAll("“[^”]*”", "x");
  }

  @Test
  void readersIndexHasTheThirtyCommentsInTheLessonsOrder() throws IOException {
    List<Entry> entries = entries();
    List<String> problems = new ArrayList<>();
    if (entries.size() != COMMENTERS.size()) {
      problems.add(
          "found "
              + entries.size()
              + " entries \"N. **name** “question”\", want "
              + COMMENTERS.size());
    }
    Map<String, Set<String>> anchors = anchorsOfAllSources();
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      String at = "notebooks/src/" + INDEX + ".md:" + e.line() + " entry " + e.number() + ": ";
      if (e.number() != i + 1) problems.add(at + "numbered " + e.number() + ", want " + (i + 1));
      if (i < COMMENTERS.size() && !e.who().equals(COMMENTERS.get(i))) {
        problems.add(
            at + "commenter " + e.who() + ", want " + COMMENTERS.get(i) + " (the lesson's order)");
      }
      if (e.quote().isBlank()) problems.add(at + "no question in the original words");
      String asks = e.part("Asks");
      if (asks == null
          || !(asks.startsWith("no question; ") || asks.matches("\\*\".*[A-Za-z]{3}.*\"\\*.*"))) {
        problems.add(at + "no '- **Asks:** *\"the question in English\"*' (or 'no question; ...')");
      }
      String where = e.part("Where");
      int targets = 0;
      if (where != null) {
        Matcher l = LINK.matcher(where);
        while (l.find()) {
          Matcher m = NOTEBOOK_LINK.matcher(l.group(1));
          if (!m.matches() || m.group(2) == null || m.group(1).equals(INDEX)) {
            problems.add(
                at + "Where links to " + l.group(1) + ", not to a section of another notebook");
          } else {
            targets++;
            String why = problem(l.group(1), INDEX, anchors);
            if (why != null) problems.add(at + l.group(1) + "\n    " + why);
          }
        }
      }
      if (targets == 0) problems.add(at + "no '- **Where:** [section](NN-name.ipynb#Anchor)'");
      String answer = e.part("Answer");
      if (answer == null || answer.length() < 20) {
        problems.add(at + "no '- **Answer:** one sentence.'");
      } else if (!answer.endsWith(".") || bare(answer).matches(".*[.!?] +[A-Z].*")) {
        problems.add(at + "the answer is not one sentence ending with a full stop: " + answer);
      }
    }
    problems.addAll(compareWithSeed(entries));
    if (!problems.isEmpty()) {
      fail(
          problems.size() + " problems in the readers' index:\n  " + String.join("\n  ", problems));
    }
  }

  /**
   * With TCPLAB_SEEDS set to the folder of the lesson's page (the project's notes, not part of the
   * repository): the commenters, in order, are the page's, and every fragment of each quotation
   * (split at …… and " / ") is in that comment's text.
   */
  static List<String> compareWithSeed(List<Entry> entries) throws IOException {
    String dir = System.getenv("TCPLAB_SEEDS");
    if (dir == null || dir.isBlank()) return List.of();
    List<String> problems = new ArrayList<>();
    Pattern comment = Pattern.compile("<span>(.*?)</span>.*?<div>(.*?)</div>", Pattern.DOTALL);
    List<String[]> seed = new ArrayList<>();
    try (Stream<Path> s = Files.list(Path.of(dir))) {
      for (Path f : s.filter(p -> p.toString().endsWith(".txt")).sorted().toList()) {
        Matcher m = comment.matcher(Files.readString(f));
        while (m.find()) seed.add(new String[] {unescape(m.group(1)), unescape(m.group(2))});
      }
    }
    if (seed.size() != COMMENTERS.size()) {
      problems.add(dir + ": " + seed.size() + " comments, want " + COMMENTERS.size());
      return problems;
    }
    for (int i = 0; i < seed.size(); i++) {
      if (!seed.get(i)[0].equals(COMMENTERS.get(i))) {
        problems.add(
            "seed comment "
                + (i + 1)
                + " is by "
                + seed.get(i)[0]
                + ", the list says "
                + COMMENTERS.get(i));
      }
      if (i >= entries.size()) continue;
      String text = seed.get(i)[1].replaceAll("\\s", "");
      for (String part : entries.get(i).quote().replace("`", "").split("……| / ")) {
        String p = part.replaceAll("\\s", "");
        if (!p.isEmpty() && !text.contains(p)) {
          problems.add(
              "entry " + (i + 1) + ": \"" + part + "\" is not in " + seed.get(i)[0] + "'s comment");
        }
      }
    }
    return problems;
  }

  static String unescape(String html) {
    return html.replaceAll("<br\\s*/?>", "\n")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#47;", "/")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
  }
}
