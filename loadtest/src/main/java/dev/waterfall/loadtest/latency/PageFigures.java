package dev.waterfall.loadtest.latency;

import java.util.List;

/**
 * What one page showed over the measured window.
 *
 * @param mode the delivery mode (a row of the table)
 * @param depth its depth in the tree when the window ended; "http" for a page served by the origin
 *     over HTTP
 * @param glassToGlassMs one reading of the burnt-in clock per frame shown
 * @param unreadable frames shown whose clock did not read (checksum)
 * @param firstFrameMs navigation start to the first frame presented; null if none was
 * @param stallsAfterStart stalls since the page began playing (what its viewer saw)
 * @param stallsInWindow of those, the ones inside the window
 * @param bytesFromParent tree bytes in the window; -1 where the mode has no HTTP path to compare
 * @param bytesByHttp HTTP bytes (fallback) in the window
 * @param hlsTargetMs hls.js's target latency at the window's end (raised by its stalls); null
 *     without hls.js
 * @param stallsWhileAnotherStarted stalls after start that came while another page of the same
 *     phase was starting (between its opening and its first playing)
 */
record PageFigures(
    String mode,
    String depth,
    List<Double> glassToGlassMs,
    int unreadable,
    Double firstFrameMs,
    int stallsAfterStart,
    int stallsInWindow,
    long bytesFromParent,
    long bytesByHttp,
    Double hlsTargetMs,
    int stallsWhileAnotherStarted) {}
