package tcplab.engine;

/** The two peers of a scenario: the client connects, the server accepts. */
public enum Side {
  CLIENT,
  SERVER;

  @Override
  public String toString() {
    return name().toLowerCase();
  }
}
