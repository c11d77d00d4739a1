package android.media;

public final class AudioAttributes {
  final int usage;
  final int contentType;

  private AudioAttributes(int usage, int contentType) {
    this.usage = usage;
    this.contentType = contentType;
  }

  public static class Builder {
    private int usage;
    private int contentType;

    public Builder setUsage(int usage) { this.usage = usage; return this; }
    public Builder setContentType(int contentType) { this.contentType = contentType; return this; }
    public AudioAttributes build() { return new AudioAttributes(usage, contentType); }
  }
}
