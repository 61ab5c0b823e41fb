package tcplab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import tcplab.draw.Ladder;
import tcplab.engine.Side;
import tcplab.observe.Capture;

/**
 * The ladder's layout at the width a notebook shows it: titles wrap, nothing passes the edges, call
 * boxes overlap neither each other nor the time labels, no two texts overlap. Text boxes are
 * estimated the way the renderer estimates them ({@link Ladder#textWidth}: characters × font size ×
 * 0.64, 7 px at 11 px).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LadderLayoutTest {

  /** A box in SVG coordinates; {@code what} names it in failure messages. */
  record Box(double x0, double y0, double x1, double y1, String kind, String what) {
    boolean overlaps(Box o) {
      return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1;
    }

    boolean contains(Box o) {
      return x0 <= o.x0 && o.x1 <= x1 && y0 <= o.y0 && o.y1 <= y1;
    }
  }

  static Document parse(String svg) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    return f.newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  static List<Box> boxes(String svg) throws Exception {
    Document d = parse(svg);
    List<Box> out = new ArrayList<>();
    NodeList texts = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
    for (int i = 0; i < texts.getLength(); i++) {
      Element e = (Element) texts.item(i);
      String s = e.getTextContent();
      if (s.isEmpty()) {
        continue;
      }
      int size = e.hasAttribute("font-size") ? Integer.parseInt(e.getAttribute("font-size")) : 11;
      double w = Ladder.textWidth(s.length(), size);
      double x = Double.parseDouble(e.getAttribute("x"));
      double y = Double.parseDouble(e.getAttribute("y"));
      String anchor = e.getAttribute("text-anchor");
      double x0 = anchor.equals("end") ? x - w : anchor.equals("middle") ? x - w / 2 : x;
      out.add(new Box(x0, y - 0.8 * size, x0 + w, y + 0.2 * size, "text", s));
    }
    NodeList rects = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect");
    for (int i = 0; i < rects.getLength(); i++) {
      Element e = (Element) rects.item(i);
      String kind = e.getAttribute("class");
      if (!kind.equals("mark") && !kind.equals("notice")) {
        continue;
      }
      double x = Double.parseDouble(e.getAttribute("x"));
      double y = Double.parseDouble(e.getAttribute("y"));
      out.add(
          new Box(
              x,
              y,
              x + Double.parseDouble(e.getAttribute("width")),
              y + Double.parseDouble(e.getAttribute("height")),
              kind,
              kind + " box at y=" + y));
    }
    return out;
  }

  /** Asserts the layout rules; returns the number of boxes checked. */
  static int assertLaidOut(String name, String svg) throws Exception {
    Element root = parse(svg).getDocumentElement();
    double width = Double.parseDouble(root.getAttribute("width"));
    List<Box> boxes = boxes(svg);
    for (Box b : boxes) {
      assertTrue(
          b.x0() >= 0 && b.x1() <= width,
          name
              + ": \""
              + b.what()
              + "\" spans x "
              + b.x0()
              + ".."
              + b.x1()
              + ", outside 0.."
              + width);
    }
    for (int i = 0; i < boxes.size(); i++) {
      for (int j = i + 1; j < boxes.size(); j++) {
        Box a = boxes.get(i);
        Box b = boxes.get(j);
        if (a.overlaps(b) && !a.contains(b) && !b.contains(a)) {
          throw new AssertionError(
              name + ": \"" + a.what() + "\" " + a + " overlaps \"" + b.what() + "\" " + b);
        }
        if (a.kind().equals("mark") && b.kind().equals("mark")) {
          assertTrue(!a.overlaps(b), name + ": call boxes overlap: " + a + " and " + b);
        }
      }
    }
    return boxes.size();
  }

  @Test
  void denseMadeUpLadderFits() throws Exception {
    List<Ladder.Arrow> arrows = new ArrayList<>();
    List<Ladder.Mark> marks = new ArrayList<>();
    String[] calls = {
      "write(fd, \"a rather long message that the peer never reads\\n\", 48) = 48",
      "read(fd, buf, 65536) = -1 ECONNRESET (Connection reset by peer)",
      "→ CLOSE_WAIT",
      "setsockopt(fd, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}); close(fd) = 0",
      "wait until the client is in CLOSE_WAIT: after 0.3 ms",
      "killed by SIGKILL (exit status 137)"
    };
    double t = 0;
    for (int i = 0; i < 60; i++) {
      t += i % 7 == 0 ? 0 : i % 11 == 0 ? 900 : 0.01;
      marks.add(
          new Ladder.Mark(
              t, i % 2 == 0 ? Side.CLIENT : Side.SERVER, calls[i % calls.length], i % 5 == 0));
      arrows.add(
          new Ladder.Arrow(
              t,
              i % 3 == 0 ? Side.SERVER : Side.CLIENT,
              i % 4 == 0
                  ? "FIN PSH ACK URG ECE CWR len 65483 (retransmitted)"
                  : "PSH ACK len 65483",
              i % 4 == 0));
    }
    marks.add(
        new Ladder.Mark(
            123456.7, Side.CLIENT, "x".repeat(200), false)); // one word longer than the box
    String title =
        "Peer crashed with unread data: the kernel answers the next segment with RST, and a read "
            + "after that fails with ECONNRESET (C pass, a title much longer than one line)";
    String notice =
        Ladder.noPackets(
            Capture.unavailableReason()
                .orElse(
                    "no packet capture here: a packet socket "
                        + "needs CAP_NET_RAW (root, or root of a user namespace); to turn packets on for every student, an "
                        + "administrator runs `sudo make capture-for-students` once (then log in again)"));
    String dense = Ladder.svg(title, notice, arrows, marks);
    Ladder.save(dense, java.nio.file.Path.of("target/ladder-dense.svg"));
    int n = assertLaidOut("dense", dense);
    assertTrue(n > 150, "boxes checked: " + n);
    assertLaidOut("dense, no notice", Ladder.svg(title, arrows, marks));
  }

  @Test
  void theCheckCatchesOverlapsAndEdges() {
    String head = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" height=\"100\">";
    String box = "<rect class=\"mark\" x=\"10\" y=\"10\" width=\"100\" height=\"18\"/>";
    String lower = "<rect class=\"mark\" x=\"50\" y=\"24\" width=\"100\" height=\"18\"/>";
    AssertionError e =
        org.junit.jupiter.api.Assertions.assertThrows(
            AssertionError.class, () -> assertLaidOut("boxes", head + box + lower + "</svg>"));
    assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
    String time = "<text x=\"70\" y=\"20\" text-anchor=\"end\">+650.1 ms</text>";
    String call = "<text x=\"66\" y=\"20\" text-anchor=\"start\">close(fd) = 0</text>";
    org.junit.jupiter.api.Assertions.assertThrows(
        AssertionError.class, () -> assertLaidOut("texts", head + time + call + "</svg>"));
    String wide =
        "<text x=\"600\" y=\"20\" text-anchor=\"start\">write(fd, \"hello\", 5) = 5</text>";
    e =
        org.junit.jupiter.api.Assertions.assertThrows(
            AssertionError.class, () -> assertLaidOut("edge", head + wide + "</svg>"));
    assertTrue(e.getMessage().contains("outside 0..720"), e.getMessage());
  }

  @Test
  void lessonScenarioLaddersFit() throws Exception {
    int checked = 0;
    int withPackets = 0;
    for (String name : Lesson.names()) {
      Result r = Lesson.byName(name).run();
      for (boolean javaPass : new boolean[] {false, true}) {
        String svg = r.ladder(javaPass);
        if (name.equals(Lesson.names().first())) {
          Ladder.save(
              svg,
              java.nio.file.Path.of(
                  "target/ladder-" + name + (javaPass ? "-java" : "-c") + ".svg"));
        }
        checked += assertLaidOut(name + (javaPass ? " (Java pass)" : " (C pass)"), svg);
        if (svg.contains("class=\"segment\"")) {
          withPackets++;
        }
      }
    }
    System.out.println(
        "lesson ladders: "
            + 2 * Lesson.names().size()
            + " rendered, "
            + withPackets
            + " with packets, "
            + checked
            + " boxes checked");
    assertTrue(checked > 100, "boxes checked: " + checked);
  }

  @Test
  void withoutCaptureTheTitleAreaSaysSo() throws Exception {
    String before = System.getProperty("tcplab.capture");
    Result r;
    System.setProperty("tcplab.capture", "off");
    try {
      r = Lesson.halfClose().run();
    } finally {
      if (before == null) {
        System.clearProperty("tcplab.capture");
      } else {
        System.setProperty("tcplab.capture", before);
      }
    }
    String svg = r.ladder(false);
    Ladder.save(svg, java.nio.file.Path.of("target/ladder-no-capture.svg"));
    assertLaidOut("no capture", svg);
    assertTrue(!svg.contains("class=\"segment\""), "no packets drawn");
    List<Box> boxes = boxes(svg);
    Box notice =
        boxes.stream()
            .filter(b -> b.kind().equals("notice"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no notice box in\n" + svg));
    Box client = boxes.stream().filter(b -> b.what().equals("client")).findFirst().orElseThrow();
    assertTrue(notice.y1() < client.y0(), "the notice is in the title area, above the lifelines");
    String noticeText =
        boxes.stream()
            .filter(b -> b.kind().equals("text") && notice.contains(b))
            .map(Box::what)
            .reduce("", (a, b) -> a + " " + b);
    assertTrue(
        noticeText.contains("No packets on this ladder")
            && noticeText.contains("tcplab.capture=off"),
        noticeText);
    assertTrue(svg.contains("font-weight=\"bold\" xml:space=\"preserve\">No packets"), "bold");
    assertTrue(r.ladderText(false).contains("!! No packets on this ladder"), r.ladderText(false));
    assertEquals(null, Ladder.noPackets(null));
    assertEquals(
        "No packets on this ladder (no SYN, FIN or RST arrows): a packet socket needs CAP_NET_RAW; "
            + "an administrator runs `sudo make capture-for-students` once",
        Ladder.noPackets(
            "no packet capture here: a packet socket needs CAP_NET_RAW; an administrator runs `sudo make "
                + "capture-for-students` once"));
  }
}
