package dev.waterfall.coordinator.streams;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which HTTP fallback URLs a browser page can use. A URL it cannot use is worse than none: an https
 * page's fetch of an http URL is blocked as mixed content, an address in someone else's LAN or on
 * someone else's loopback never answers, and every failed fetch moves the page's next fetches on to
 * it. The rule:
 *
 * <ul>
 *   <li>a page on https gets https URLs only; a page on http gets both;
 *   <li>a URL whose host is a loopback address (or {@code localhost}, or a wildcard) only to a page
 *       that came from loopback itself: the local demo;
 *   <li>a URL whose host is private (RFC 1918, CGNAT 100.64/10, link-local, IPv6 ULA, a
 *       single-label or {@code .local}/{@code .lan}/{@code .internal}/{@code .home.arpa} name) only
 *       to a page that came from a private or loopback address: a LAN party;
 *   <li>anything else (a public address, a DNS name) to every page.
 * </ul>
 *
 * Host names are never resolved: this runs for every welcome. Java relays get the whole list: they
 * may reach a private address in their own LAN, and they try the next URL quickly.
 */
public final class UsableUrls {
  /** How far an address is reachable from. */
  public enum Reach {
    LOOPBACK,
    PRIVATE,
    PUBLIC
  }

  /** Where a page stands: whether it is on https, and the reach of the address it came from. */
  public record Page(boolean secure, Reach from) {
    /** The local demo: a page on http://127.0.0.1. */
    public static final Page LOCAL = new Page(false, Reach.LOOPBACK);
  }

  private static final Pattern IPV4 =
      Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]*:[0-9a-f:.]*(%[0-9a-z]+)?");
  private static final List<String> PRIVATE_SUFFIXES =
      List.of(
          ".local",
          ".lan",
          ".home",
          ".internal",
          ".intranet",
          ".localdomain",
          ".home.arpa",
          ".corp");

  private UsableUrls() {}

  /** The URLs of {@code urls} that {@code page} can fetch, in their order. */
  public static List<String> forPage(List<String> urls, Page page) {
    return urls.stream().filter(u -> usable(u, page)).toList();
  }

  public static boolean usable(String url, Page page) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException | NullPointerException e) {
      return false;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !(scheme.equals("http") && !page.secure())) {
      return false;
    }
    if (uri.getHost() == null) {
      return false;
    }
    return switch (reachOf(uri.getHost())) {
      case PUBLIC -> true;
      case PRIVATE -> page.from() != Reach.PUBLIC;
      case LOOPBACK -> page.from() == Reach.LOOPBACK;
    };
  }

  /**
   * The reach of a host: an IP literal (IPv6 with or without brackets) or a name, which is not
   * looked up.
   */
  public static Reach reachOf(String host) {
    String h = host.toLowerCase(Locale.ROOT).trim();
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    while (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    Matcher v4 = IPV4.matcher(h);
    if (v4.matches()) {
      int[] o = new int[4];
      for (int i = 0; i < 4; i++) {
        o[i] = Integer.parseInt(v4.group(i + 1));
        if (o[i] > 255) {
          return Reach.PRIVATE; // not an address: a name nobody can resolve publicly
        }
      }
      return reachOfIpv4(o);
    }
    if (IPV6.matcher(h).matches()) {
      return reachOfIpv6(h);
    }
    if (h.isEmpty()) {
      return Reach.LOOPBACK;
    }
    if (h.equals("localhost") || h.endsWith(".localhost")) {
      return Reach.LOOPBACK;
    }
    if (!h.contains(".") || PRIVATE_SUFFIXES.stream().anyMatch(h::endsWith)) {
      return Reach.PRIVATE;
    }
    return Reach.PUBLIC;
  }

  private static Reach reachOfIpv4(int[] o) {
    if (o[0] == 127 || o[0] == 0) {
      return Reach.LOOPBACK; // 0.0.0.0 (a wildcard someone announced) reaches only this machine
    }
    boolean priv =
        o[0] == 10
            || (o[0] == 172 && o[1] >= 16 && o[1] <= 31)
            || (o[0] == 192 && o[1] == 168)
            || (o[0] == 169 && o[1] == 254) // link-local
            || (o[0] == 100 && o[1] >= 64 && o[1] <= 127); // carrier-grade NAT, Tailscale
    return priv ? Reach.PRIVATE : Reach.PUBLIC;
  }

  private static Reach reachOfIpv6(String h) {
    InetAddress a;
    try {
      // In brackets Java takes it as a literal or refuses it: never a DNS lookup.
      a = InetAddress.getByName("[" + h + "]");
    } catch (UnknownHostException e) {
      return Reach.PRIVATE;
    }
    if (a instanceof Inet4Address v4) { // ::ffff:a.b.c.d
      byte[] b = v4.getAddress();
      return reachOfIpv4(new int[] {b[0] & 0xff, b[1] & 0xff, b[2] & 0xff, b[3] & 0xff});
    }
    if (a.isLoopbackAddress() || a.isAnyLocalAddress()) {
      return Reach.LOOPBACK;
    }
    byte first = a.getAddress()[0];
    // fc00::/7: ULA
    if (a.isLinkLocalAddress() || a.isSiteLocalAddress() || (first & 0xfe) == 0xfc) {
      return Reach.PRIVATE;
    }
    return Reach.PUBLIC;
  }
}
