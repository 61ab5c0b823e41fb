package tcplab.story;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.Wire;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * What needs no network: parameters checked once, a story's trip to a child JVM and back, choosing
 * the layer.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StoryRecordsTest {
  @Test
  void parametersAreCheckedOnceInTheRecordWithOneSentence() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new BlockedRead(5));
    assertEquals("soTimeoutMillis must be between 100 and 10000 ms; got 5.", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new TimeToDetect(new int[] {9}, 1000, 1000));
    assertThrows(IllegalArgumentException.class, () -> new UnackedData(-1));
    assertThrows(IllegalArgumentException.class, () -> new RetransmitUntilTimeout(9));
    assertEquals(
        "drops must be between 1 and 4 lost ACKs (each one costs the server a FIN with a doubled"
            + " wait); got 0.",
        assertThrows(IllegalArgumentException.class, () -> new LostLastAck(0)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> new SelectorCut(0));
    assertThrows(IllegalArgumentException.class, () -> new SelectorReboot(7000));
  }

  @Test
  void everyStoryTravelsAsItsRecordAndComesBackEqual() {
    List<Story> all =
        List.of(
            new BlockedRead(1000),
            new RetransmitUntilTimeout(2),
            new ShortOutage(500),
            new IdleThenWrite(),
            new UnackedData(2000),
            new ReaderWithoutKeepalive(1500),
            new ReaderWithKeepalive(),
            new ListensAgain(),
            new LostLastAck(2),
            new SelectorCut(1),
            new SelectorReboot(500));
    for (Story s : all) {
      assertEquals(s, StoryCodec.story(StoryCodec.payload(s)), StoryCodec.payload(s));
    }
    TimeToDetect t =
        (TimeToDetect)
            StoryCodec.story(StoryCodec.payload(new TimeToDetect(new int[] {1, 2}, 500, 600)));
    assertArrayEquals(new int[] {1, 2}, t.retries2());
    assertEquals("TimeToDetect\t1,2\t500\t600", StoryCodec.payload(t));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> StoryCodec.story("BlockedRead\t5"));
    assertEquals(
        "soTimeoutMillis must be between 100 and 10000 ms; got 5.",
        e.getMessage(),
        "checked again there");
    assertThrows(IllegalArgumentException.class, () -> StoryCodec.story("NoSuchStory"));
  }

  @Test
  void resultsSurviveTheTripAsText() {
    Table t =
        Table.create(
            "x",
            DoubleColumn.create("t (s)", 1.5, -0.25),
            StringColumn.create("what", "a\tb", "c\\n"));
    Table p = Table.create("packets", IntColumn.create("length", 0, 16));
    Wire back =
        StoryCodec.wire(
            StoryCodec.result(new Wire(t, p, List.of(), "<svg>\n</svg>", "a\nb", null)));
    assertEquals(t.print(), back.table().print());
    assertEquals(p.print(), back.packets().print());
    assertEquals("<svg>\n</svg>", back.svg());
    assertEquals(null, back.note());
    Wire none =
        StoryCodec.wire(
            StoryCodec.result(new Wire(t, null, List.of(), "<svg/>", "", "no packets: why")));
    assertTrue(!none.hasPackets());
    assertEquals("no packets: why", none.note());
  }

  @Test
  void aForcedLayerIsNamedAndABadOneIsOneSentence() {
    String before = System.getProperty(Layer.PROPERTY);
    try {
      System.setProperty(Layer.PROPERTY, "relay");
      assertEquals(Layer.RELAY, Layer.current());
      String p = Layer.privileges();
      assertTrue(p.startsWith("tcplab uses [relay stand-in: not a real cut] (forced"), p);
      assertTrue(p.contains("] relay"), p);
      System.setProperty(Layer.PROPERTY, "tcp");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Layer::current);
      assertEquals(
          "TCPLAB_LAYER (or -Dtcplab.layer) must be root, userns or relay; got \"tcp\".",
          e.getMessage());
    } finally {
      if (before == null) {
        System.clearProperty(Layer.PROPERTY);
      } else {
        System.setProperty(Layer.PROPERTY, before);
      }
    }
  }
}
