package dev.roomlog.gateway.pages;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The static files of one site (the chat page and the client library on the WebSocket port, the
 * inspector on the management port), read from the classpath ({@code roomlog-pages/...} in the
 * gateway's jar, built from {@code clients/}). Maps a URL path to a file, or to a redirect from a
 * directory without its slash. Only flat file names of known types are served, so no path can reach
 * outside a site's folders. No I/O beyond the classpath; files are read once and kept.
 */
public final class PageSite {
  /** A file name: no slash, no leading dot, a known extension. */
  private static final Pattern FILE_NAME =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*\\.(html|js|css|png|svg|ico|json)");

  private static final Map<String, String> CONTENT_TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "png", "image/png",
          "svg", "image/svg+xml",
          "ico", "image/x-icon",
          "json", "application/json");

  /** What a path of this site answers. */
  public sealed interface Answer {
    record File(byte[] body, String contentType) implements Answer {}

    record Redirect(String location) implements Answer {}
  }

  private final Map<String, String> folders;
  private final String home;
  private final ClassLoader loader;
  private final Map<String, Optional<Answer.File>> cache = new ConcurrentHashMap<>();

  /**
   * @param folders URL prefix (ending in "/") to classpath folder (ending in "/"), in the order
   *     they are tried
   * @param home where {@code /} sends a browser: a prefix of {@code folders}
   */
  PageSite(Map<String, String> folders, String home, ClassLoader loader) {
    this.folders = new LinkedHashMap<>(folders);
    this.home = home;
    this.loader = loader;
  }

  /** The chat page and the client library it imports. */
  public static PageSite chat() {
    return new PageSite(
        Map.of(
            "/chat/", "roomlog-pages/chat/",
            "/roomlog-client/", "roomlog-pages/roomlog-client/"),
        "/chat/",
        PageSite.class.getClassLoader());
  }

  /** The inspector page of the management port. */
  public static PageSite inspector() {
    return new PageSite(
        Map.of("/inspector/", "roomlog-pages/inspector/"),
        "/inspector/",
        PageSite.class.getClassLoader());
  }

  /** Whether {@code path} belongs to this site (a file, a folder, or the root). */
  public boolean owns(String path) {
    if ("/".equals(path)) {
      return true;
    }
    for (String prefix : folders.keySet()) {
      if (path.startsWith(prefix) || path.equals(prefix.substring(0, prefix.length() - 1))) {
        return true;
      }
    }
    return false;
  }

  /** The answer to {@code GET path}; empty for a path of this site with no such file (404). */
  public Optional<Answer> find(String path) {
    if ("/".equals(path)) {
      return Optional.of(new Answer.Redirect(home));
    }
    for (Map.Entry<String, String> folder : folders.entrySet()) {
      String prefix = folder.getKey();
      if (path.equals(prefix.substring(0, prefix.length() - 1))) {
        return Optional.of(new Answer.Redirect(prefix));
      }
      if (path.startsWith(prefix)) {
        String name = path.substring(prefix.length());
        if (name.isEmpty()) {
          name = "index.html";
        }
        if (!FILE_NAME.matcher(name).matches() || name.contains("..")) {
          return Optional.empty();
        }
        String resource = folder.getValue() + name;
        return cache.computeIfAbsent(resource, this::read).map(Answer.class::cast);
      }
    }
    return Optional.empty();
  }

  private Optional<Answer.File> read(String resource) {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        return Optional.empty();
      }
      String extension = resource.substring(resource.lastIndexOf('.') + 1);
      return Optional.of(new Answer.File(in.readAllBytes(), CONTENT_TYPES.get(extension)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource + " from the classpath", e);
    }
  }
}
