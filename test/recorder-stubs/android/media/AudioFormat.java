package android.media;

public final class AudioFormat {
  final int sampleRate;
  final int channelMask;
  final int encoding;

  private AudioFormat(int sampleRate, int channelMask, int encoding) {
    this.sampleRate = sampleRate;
    this.channelMask = channelMask;
    this.encoding = encoding;
  }

  public static final class Builder {
    private int sampleRate;
    private int channelMask;
    private int encoding;

    public Builder setSampleRate(int sampleRate) { this.sampleRate = sampleRate; return this; }
    public Builder setChannelMask(int channelMask) { this.channelMask = channelMask; return this; }
    public Builder setEncoding(int encoding) { this.encoding = encoding; return this; }
    public AudioFormat build() { return new AudioFormat(sampleRate, channelMask, encoding); }
  }
}
