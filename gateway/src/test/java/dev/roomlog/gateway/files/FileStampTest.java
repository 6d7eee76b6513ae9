package dev.roomlog.gateway.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStampTest {
  private static final FileTime T = FileTime.from(Instant.parse("2026-01-01T00:00:00Z"));

  @TempDir Path dir;

  private Path write(String name, String content) throws Exception {
    Path file = Files.writeString(dir.resolve(name), content);
    Files.setLastModifiedTime(file, T);
    return file;
  }

  @Test
  void aFileNotChangedKeepsItsStamp() throws Exception {
    Path file = write("rules", "allow 10.0.0.0/8\n");

    FileStamp stamp = FileStamp.of(file);

    assertEquals(stamp, FileStamp.of(file));
    assertEquals(T, stamp.modified());
    assertEquals(17, stamp.size());
    assertFalse(stamp.isMissing());
  }

  @Test
  void aMissingFileIsMissing() {
    FileStamp stamp = FileStamp.of(dir.resolve("nope"));

    assertTrue(stamp.isMissing());
    assertEquals(FileStamp.MISSING, stamp);
  }

  @Test
  void anEditOfTheSizeOrOfTheModifiedTimeChangesTheStamp() throws Exception {
    Path file = write("rules", "allow 10.0.0.0/8\n");
    FileStamp before = FileStamp.of(file);

    Files.setLastModifiedTime(file, FileTime.from(T.toInstant().plusSeconds(1)));
    FileStamp touched = FileStamp.of(file);
    Files.writeString(file, "block 10.0.0.0/8\n# x\n");
    Files.setLastModifiedTime(file, T);
    FileStamp resized = FileStamp.of(file);

    assertNotEquals(before, touched);
    assertNotEquals(before, resized);
  }

  @Test
  void aFileRenamedOverItWithTheSameTimeAndSizeChangesTheStampByItsKey() throws Exception {
    Path file = write("rules", "allow 10.0.0.0/8\n");
    FileStamp before = FileStamp.of(file);
    assumeTrue(before.fileKey() != null, "this file system gives files no key");
    Path next = write("rules.next", "block 10.0.0.0/8\n");

    Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

    FileStamp after = FileStamp.of(file);
    assertEquals(before.modified(), after.modified());
    assertEquals(before.size(), after.size());
    assertNotEquals(before, after);
  }
}
