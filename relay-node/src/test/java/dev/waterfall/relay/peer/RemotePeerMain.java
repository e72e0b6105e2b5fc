package dev.waterfall.relay.peer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The child end of a link in a process of its own, so a test can kill it with SIGKILL (no goodbye
 * on the wire). Protocol lines on stdout start with "@@ " (libwebrtc and logging may print other
 * lines there); signals for it arrive on stdin, one JSON object a line. When the channel opens it
 * sends "hello".
 */
public final class RemotePeerMain {

  private RemotePeerMain() {}

  public static void main(String[] args) throws Exception {
    ObjectMapper json = new ObjectMapper();
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    PeerFactory factory = new PeerFactory();
    PeerLink[] link = new PeerLink[1];
    PeerLink.Listener listener =
        new PeerLink.Listener() {
          @Override
          public void onSignal(ObjectNode data) {
            synchronized (out) {
              out.println("@@ " + data);
            }
          }

          @Override
          public void onOpen() {
            synchronized (out) {
              out.println("@@ {\"event\":\"open\"}");
            }
            // A real listener would hand this to its own thread; one tiny send is fine in a test
            // helper.
            new Thread(() -> link[0].send("hello".getBytes(StandardCharsets.UTF_8))).start();
          }

          @Override
          public void onMessage(byte[] message) {}

          @Override
          public void onClosed(String reason) {
            synchronized (out) {
              out.println("@@ {\"event\":\"closed\"}");
            }
          }
        };
    link[0] = PeerLink.offer(factory, List.of(), listener);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      link[0].onRemoteSignal(json.readTree(line));
    }
    factory.close();
  }
}
