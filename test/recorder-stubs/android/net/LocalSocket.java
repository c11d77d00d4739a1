package android.net;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;

/** One accepted client of LocalServerSocket; its stream is unbuffered, like the framework's. */
public class LocalSocket {
  private final SocketChannel channel;

  LocalSocket(SocketChannel channel) {
    this.channel = channel;
  }

  public OutputStream getOutputStream() throws IOException {
    return Channels.newOutputStream(channel);
  }

  public void close() throws IOException {
    channel.close();
  }
}
