package dev.roomlog.gateway.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * What a file watcher compares to notice a change without reading the file: its modification time,
 * size and file key (the key changes when a deployment tool renames a new file over it, even if the
 * time and size happen to match). Polled rather than watched: it also works on bind mounts and
 * ConfigMap or secret symlink swaps, where watch events are unreliable. An edit that keeps both the
 * size and the modification time (within the file system's time resolution) looks like no change.
 * Used by {@code IpRulesWatcher} and {@code TlsContextWatcher}.
 *
 * @param fileKey the file system's identity of the file, or null where it has none
 */
public record FileStamp(FileTime modified, long size, Object fileKey) {
  /** The stamp of a file that cannot be read (missing, or no permission to see it). */
  public static final FileStamp MISSING = new FileStamp(FileTime.fromMillis(0), -1, null);

  /** The stamp of {@code file} now, or {@link #MISSING}. Follows symbolic links. */
  public static FileStamp of(Path file) {
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      return new FileStamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
    } catch (IOException e) {
      return MISSING;
    }
  }

  public boolean isMissing() {
    return equals(MISSING);
  }
}
