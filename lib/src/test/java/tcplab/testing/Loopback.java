package tcplab.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A connected pair on 127.0.0.1 with an ephemeral port: client and the server's accepted socket.
 */
public final class Loopback implements AutoCloseable {
  public final ServerSocket listener;
  public final Socket client;
  public final Socket server;

  public Loopback() throws IOException {
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    listener.setSoTimeout(5000);
    client = new Socket();
    client.connect(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()), 5000);
    server = listener.accept();
  }

  @Override
  public void close() throws IOException {
    for (AutoCloseable c : new AutoCloseable[] {client, server, listener}) {
      try {
        c.close();
      } catch (Exception ignored) {
        // best effort
      }
    }
  }
}
