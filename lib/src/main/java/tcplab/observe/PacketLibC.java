package tcplab.observe;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/**
 * The few libc calls of a {@link PacketSocket}: the socket and the ring (LP64 Linux), mapped with
 * JNA like {@link LibC}; loading it (first touch of {@link #C}) may throw a LinkageError.
 */
interface PacketLibC extends Library {
  PacketLibC C = Native.load("c", PacketLibC.class);

  int socket(int domain, int type, int protocol) throws LastErrorException;

  int bind(int fd, byte[] addr, int len) throws LastErrorException;

  int setsockopt(int fd, int level, int name, byte[] val, int len) throws LastErrorException;

  int setsockopt(int fd, int level, int name, Pointer val, int len) throws LastErrorException;

  int getsockopt(int fd, int level, int name, byte[] val, IntByReference len)
      throws LastErrorException;

  int if_nametoindex(String name);

  Pointer mmap(Pointer addr, long len, int prot, int flags, int fd, long offset)
      throws LastErrorException;

  int munmap(Pointer addr, long len) throws LastErrorException;

  int poll(byte[] fds, long nfds, int timeoutMillis) throws LastErrorException;

  int eventfd(int initval, int flags) throws LastErrorException;

  long write(int fd, byte[] buf, long count) throws LastErrorException;

  int close(int fd) throws LastErrorException;
}
