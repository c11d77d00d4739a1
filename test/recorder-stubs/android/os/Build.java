package android.os;

public class Build {
  public static class VERSION {
    // Not a compile-time constant: read at run time, like on a phone.
    public static final int SDK_INT = Integer.getInteger("stub.sdk", 33);
  }
}
