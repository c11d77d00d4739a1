package android.net;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The abstract-namespace socket, on the host: a Unix socket file named after it in
 * `stub.socketDir` (the JVM has no abstract names), so a test connects with net.connect(path).
 */
public class LocalServerSocket {
  private final ServerSocketChannel channel;
  private final Path path;

  public LocalServerSocket(String name) throws IOException {
    path = Paths.get(System.getProperty("stub.socketDir", "."), name);
    if (Files.exists(path)) {
      throw new IOException("Address already in use");
    }
    channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    channel.bind(UnixDomainSocketAddress.of(path));
    System.err.println("stub: listening on " + name);
  }

  public LocalSocket accept() throws IOException {
    LocalSocket s = new LocalSocket(channel.accept());
    System.err.println("stub: accepted a client");
    return s;
  }

  public void close() throws IOException {
    if (channel.isOpen()) {
      channel.close();
      Files.deleteIfExists(path);
      System.err.println("stub: server socket closed");
    }
  }
}
