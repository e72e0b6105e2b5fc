package dev.waterfall.relay.frame;

/** Byte 1 of every frame. */
public enum FrameType {
  HEADER(1),
  CHUNK(2),
  WINDOW(3),
  CONTROL(4);

  private final int code;

  FrameType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The type with this code, or null. */
  static FrameType of(int code) {
    for (FrameType type : values()) {
      if (type.code == code) {
        return type;
      }
    }
    return null;
  }
}
