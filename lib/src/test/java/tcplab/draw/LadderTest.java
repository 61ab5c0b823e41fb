package tcplab.draw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import tcplab.engine.Side;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** The ladder diagram: well-formed SVG, labels, highlight colour, and a text form. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LadderTest {

  static final List<Ladder.Arrow> ARROWS =
      List.of(
          new Ladder.Arrow(0.00, Side.CLIENT, "SYN", false),
          new Ladder.Arrow(0.02, Side.SERVER, "SYN ACK", false),
          new Ladder.Arrow(0.04, Side.CLIENT, "ACK", false),
          new Ladder.Arrow(1.30, Side.CLIENT, "PSH ACK len 5", false),
          new Ladder.Arrow(1.32, Side.SERVER, "ACK", false),
          new Ladder.Arrow(2.10, Side.SERVER, "FIN ACK", true),
          new Ladder.Arrow(2.15, Side.CLIENT, "ACK", false),
          new Ladder.Arrow(650.0, Side.CLIENT, "PSH ACK len 6", false),
          new Ladder.Arrow(650.1, Side.SERVER, "RST", true));
  static final List<Ladder.Mark> MARKS =
      List.of(
          new Ladder.Mark(1.25, Side.CLIENT, "write(fd, \"hello\", 5) = 5", false),
          new Ladder.Mark(2.05, Side.SERVER, "close(fd) = 0", false),
          new Ladder.Mark(2.2, Side.CLIENT, "→ CLOSE_WAIT", false),
          new Ladder.Mark(649.9, Side.CLIENT, "write(fd, \"again\\n\", 6) = 6", false),
          new Ladder.Mark(
              651.0, Side.CLIENT, "read(fd, buf, 100) = -1 ECONNRESET <& \"quoted\" 'x'>", true));

  static Document parse(String svg) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    return f.newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  static List<String> texts(Document d) {
    NodeList nodes = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add(nodes.item(i).getTextContent());
    }
    return out;
  }

  @Test
  void svgIsWellFormedAndHasTheLabels() throws Exception {
    String svg = Ladder.svg("peer closed <then> reset", ARROWS, MARKS);
    Document d = parse(svg);
    Element root = d.getDocumentElement();
    assertEquals("svg", root.getLocalName());
    assertEquals("720", root.getAttribute("width"));
    assertTrue(root.getAttribute("viewBox").startsWith("0 0 720 "));
    String all = String.join("\n", texts(d));
    for (String label :
        List.of(
            "SYN",
            "SYN ACK",
            "PSH ACK len 5",
            "FIN ACK",
            "RST",
            "client",
            "server",
            "write(fd, \"hello\", 5) = 5",
            "→ CLOSE_WAIT",
            "peer closed <then> reset",
            "(time cut)",
            "+650.0 ms")) {
      assertTrue(all.contains(label), label + " missing in\n" + all);
    }
    assertTrue(all.contains("ECONNRESET"));
  }

  @Test
  void rstAndFinArrowsHaveTheHighlightColourOthersDoNot() throws Exception {
    Document d = parse(Ladder.svg("t", ARROWS, MARKS));
    NodeList lines = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "line");
    List<String> segmentColours = new ArrayList<>();
    for (int i = 0; i < lines.getLength(); i++) {
      Element e = (Element) lines.item(i);
      if (e.getAttribute("class").equals("segment")) {
        segmentColours.add(e.getAttribute("stroke"));
      }
    }
    assertEquals(ARROWS.size(), segmentColours.size());
    for (int i = 0; i < ARROWS.size(); i++) {
      boolean closes =
          ARROWS.get(i).label().startsWith("RST") || ARROWS.get(i).label().startsWith("FIN");
      assertEquals(closes, segmentColours.get(i).equals(Ladder.HIGHLIGHT), ARROWS.get(i).label());
    }
    NodeList texts = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
    boolean rstLabelColoured = false;
    boolean failureRed = false;
    for (int i = 0; i < texts.getLength(); i++) {
      Element e = (Element) texts.item(i);
      rstLabelColoured |=
          e.getTextContent().equals("RST") && e.getAttribute("fill").equals(Ladder.HIGHLIGHT);
      failureRed |=
          e.getTextContent().contains("ECONNRESET")
              && e.getAttribute("fill").equals(Ladder.FAILURE);
    }
    assertTrue(rstLabelColoured);
    assertTrue(failureRed);
  }

  @Test
  void textHasBothLifelinesAndEveryLabel() {
    String text = Ladder.text("peer closed, then reset", ARROWS, MARKS);
    System.out.println(text);
    String[] lines = text.split("\n");
    assertTrue(lines[1].contains("client") && lines[1].contains("server"), lines[1]);
    int bars = 0;
    for (String l : lines) {
      if (l.chars().filter(c -> c == '|').count() >= 2) {
        bars++;
      }
    }
    assertTrue(bars >= ARROWS.size(), text);
    for (String label :
        List.of(
            "-- SYN -",
            "- SYN ACK --",
            "PSH ACK len 5",
            "== FIN ACK =",
            "RST",
            "→ CLOSE_WAIT",
            "!! read(fd, buf, 100) = -1",
            "(time cut)")) {
      assertTrue(text.contains(label), label + " missing in\n" + text);
    }
  }

  @Test
  void worksWithoutPackets() throws Exception {
    Document d = parse(Ladder.svg("no capture here", List.of(), MARKS));
    assertTrue(String.join("\n", texts(d)).contains("close(fd) = 0"));
    String text = Ladder.text("no capture here", List.of(), MARKS);
    assertTrue(text.contains("close(fd) = 0") && text.contains("|"), text);
  }

  @Test
  void worksWithNothingAtAll(@TempDir Path dir) throws Exception {
    String svg = Ladder.svg("empty", List.of(), List.of());
    Document d = parse(svg);
    assertTrue(String.join("\n", texts(d)).contains("client"));
    assertFalse(Ladder.text("empty", List.of(), null).isBlank());
    Path file = dir.resolve("sub/empty.svg");
    Ladder.save(svg, file);
    assertEquals(svg, Files.readString(file));
  }

  @Test
  void marksFromACallsTable() {
    Table calls =
        Table.create(
            "s",
            DoubleColumn.create("t (ms)", 0.5, 3.0),
            StringColumn.create("side", "server", "client"),
            StringColumn.create("call (C terms)", "close(fd)", "read(fd, buf, 100)"),
            StringColumn.create("C view: returned, errno", "0", "-1 ECONNRESET"),
            StringColumn.create("Java view", "returned", "SocketException: Connection reset"),
            StringColumn.create("expected (Linux)", "", ""),
            StringColumn.create("check", "", ""),
            StringColumn.create(
                "states after (C run)",
                "client CLOSE_WAIT · server FIN_WAIT2",
                "client CLOSE_WAIT · server gone"));
    List<Ladder.Mark> marks = Ladder.marks(calls);
    assertEquals("close(fd) = 0", marks.get(0).text());
    assertTrue(
        marks.stream().anyMatch(m -> m.text().equals("→ CLOSE_WAIT") && m.side() == Side.CLIENT));
    assertTrue(marks.stream().anyMatch(m -> m.text().equals("→ gone") && m.side() == Side.SERVER));
    assertTrue(
        marks.stream()
            .anyMatch(m -> m.failure() && m.text().equals("read(fd, buf, 100) = -1 ECONNRESET")));
  }
}
