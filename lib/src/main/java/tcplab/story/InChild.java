package tcplab.story;

import java.time.Duration;
import java.util.function.Consumer;
import tcplab.Wire;
import tcplab.net.PrivateHost;
import tcplab.text.Text;

/**
 * The USERNS layer: a story played on real kernels in the {@link PrivateHost}, a child JVM that is
 * root of its own user, network and mount namespaces, so {@link tcplab.TwoHosts} runs there
 * unchanged (no third implementation). The story travels as its record ({@link
 * StoryCodec#payload}), each timeline row comes back as it happens, the result ({@link
 * StoryCodec#result}) at the end.
 */
public final class InChild {
  /** How long a story may take in the child, start-up included. */
  static final Duration DEADLINE = Duration.ofSeconds(60);

  private InChild() {}

  /** Between the parent's language ("en", "zh") and the story in the payload. */
  private static final String LANGUAGE = "|";

  /**
   * Parent side: plays {@code story} in the child; {@code rows} gets each row as the child emits
   * it.
   */
  static Wire play(Story story, Consumer<String> rows) {
    Consumer<String> sink = rows == null ? r -> {} : rows;
    return StoryCodec.wire(
        PrivateHost.play(
            InChild.class.getName(),
            Text.language() + LANGUAGE + StoryCodec.payload(story),
            sink,
            DEADLINE));
  }

  /** Child side (called by the private host): plays the story, emits rows, returns the result. */
  public static String playInChild(String payload, Consumer<String> emit) {
    int at = payload.indexOf(LANGUAGE);
    Text.use(payload.substring(0, at)); // the parent's language, for the ladder the child draws
    return StoryCodec.result(
        Stage.realKernels(emit)
            .labelled(Layer.USERNS.label())
            .play(StoryCodec.story(payload.substring(at + LANGUAGE.length()))));
  }
}
