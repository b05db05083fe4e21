package dev.sparkdit.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * An I/O failure in words. The JDK's file-system exceptions carry only the path as their message ("/proc/x"),
 * which tells a user nothing about what went wrong.
 */
public final class IoMessages {
    private IoMessages() {
    }

    public static String describe(IOException e) {
        String msg = e.getMessage();
        if (e instanceof NoSuchFileException) {
            return "no such file or folder: " + msg;
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied: " + msg;
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists: " + msg;
        }
        if (e instanceof NotDirectoryException) {
            return "not a folder: " + msg;
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "folder not empty: " + msg;
        }
        if (e instanceof FileSystemException f) {
            String what = f.getFile() != null ? f.getFile() : msg;
            return f.getReason() != null ? what + ": " + f.getReason() : "cannot use " + what
                    + " (" + e.getClass().getSimpleName() + ")";
        }
        return msg == null ? e.getClass().getSimpleName() : msg;
    }
}
