package io.switchboard.protocol.frame;

/** A client frame that cannot be served; becomes an {@code error} frame. */
public final class FrameException extends RuntimeException {

    private final ErrorCode code;
    private final String cid;

    public FrameException(ErrorCode code, String cid, String message) {
        super(message, null, false, false);
        this.code = code;
        this.cid = cid;
    }

    public ErrorCode code() {
        return code;
    }

    /** The {@code cid} of the offending frame, when it could be read; otherwise {@code null}. */
    public String cid() {
        return cid;
    }

    public ServerFrame.Error toFrame() {
        return new ServerFrame.Error(cid, code, getMessage());
    }
}
