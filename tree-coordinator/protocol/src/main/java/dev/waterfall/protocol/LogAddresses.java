package dev.waterfall.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How a server names a remote address in its logs: as is, or (for operators who must not keep
 * addresses) as a keyed hash that is stable for this process, so one client's lines still group
 * together, but cannot be reversed. Shared by the coordinator ({@code log.redactAddresses}) and the
 * relays ({@code --redact-addresses}).
 */
public final class LogAddresses {
  private static final LogAddresses PLAIN = new LogAddresses(null);
  private final Mac mac;

  private LogAddresses(Mac mac) {
    this.mac = mac;
  }

  public static LogAddresses of(boolean redact) {
    return redact ? new LogAddresses(newMac()) : PLAIN;
  }

  /** The address as logs should show it. */
  public String of(String address) {
    if (mac == null) {
      return address;
    }
    synchronized (mac) {
      byte[] d = mac.doFinal(String.valueOf(address).getBytes(StandardCharsets.UTF_8));
      return "addr-" + HexFormat.of().formatHex(d, 0, 5);
    }
  }

  private static Mac newMac() {
    try {
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
