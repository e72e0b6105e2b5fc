// A test source for measuring glass-to-glass latency: a canvas whose picture is the sender's wall clock
// (Date.now()) drawn as 48 black or white blocks (40 bits of milliseconds and an 8-bit checksum), published with
// captureStream; and the reader a viewer runs on its video element. Blocks of 40×40 px survive any sane encoder,
// and both ends run on one machine (one clock) in the benchmark. A reading is the time from drawing a frame to
// the viewer having it on screen, so it includes the capture, every hop's decode and re-encode, the network, the
// jitter buffers and the frame's wait for display.

const W = 320;
const H = 240;
const COLS = 8;
const ROWS = 6;
const BLOCK = 40;
const TIME_BITS = 40;
const MOD = 2 ** TIME_BITS;

function bitsOf(ms) {
  const t = ms % MOD;
  const bits = [];
  for (let i = TIME_BITS - 1; i >= 0; i--) bits.push(Math.floor(t / 2 ** i) % 2);
  let sum = 0;
  for (let i = 0; i < TIME_BITS; i += 8) sum += parseInt(bits.slice(i, i + 8).join(''), 2);
  for (let i = 7; i >= 0; i--) bits.push((sum >> i) & 1);
  return bits;
}

/** A MediaStream of the clock picture at `fps` frames per second. */
export function clockStream(fps = 30) {
  const canvas = document.createElement('canvas');
  canvas.width = W;
  canvas.height = H;
  const g = canvas.getContext('2d');
  const stream = canvas.captureStream(fps);
  const draw = () => {
    const bits = bitsOf(Date.now());
    for (let i = 0; i < bits.length; i++) {
      g.fillStyle = bits[i] ? '#fff' : '#000';
      g.fillRect((i % COLS) * BLOCK, Math.floor(i / COLS) * BLOCK, BLOCK, BLOCK);
    }
  };
  draw();
  const timer = setInterval(draw, 1000 / fps);
  stream.getVideoTracks()[0].addEventListener('ended', () => clearInterval(timer));
  return stream;
}

/** The sender's clock in a picture (any size: it is scaled to 320×240 first), or null if unreadable. */
export function readClock(source, scratch) {
  const g = scratch.getContext('2d', { willReadFrequently: true });
  g.drawImage(source, 0, 0, W, H);
  const px = g.getImageData(0, 0, W, H).data;
  const bits = [];
  for (let i = 0; i < COLS * ROWS; i++) {
    const x0 = (i % COLS) * BLOCK + BLOCK / 2 - 5;
    const y0 = Math.floor(i / COLS) * BLOCK + BLOCK / 2 - 5;
    let sum = 0;
    for (let y = y0; y < y0 + 10; y++) {
      for (let x = x0; x < x0 + 10; x++) {
        const o = (y * W + x) * 4;
        sum += (px[o] + px[o + 1] + px[o + 2]) / 3;
      }
    }
    bits.push(sum / 100 > 128 ? 1 : 0);
  }
  let t = 0;
  for (let i = 0; i < TIME_BITS; i++) t = t * 2 + bits[i];
  const expected = bitsOf(t).slice(TIME_BITS).join('');
  return expected === bits.slice(TIME_BITS).join('') ? t : null;
}

/**
 * Samples the latency of what `video` shows for `durationMs`: every frame it presents
 * (requestVideoFrameCallback), else every 20 ms. Resolves {samples: [ms…], unreadable: n}.
 */
export function measure(video, durationMs) {
  const scratch = document.createElement('canvas');
  scratch.width = W;
  scratch.height = H;
  const samples = [];
  let unreadable = 0;
  const sample = () => {
    if (video.videoWidth === 0) return;
    const sent = readClock(video, scratch);
    if (sent === null) {
      unreadable++;
      return;
    }
    samples.push(((Date.now() % MOD) - sent + MOD) % MOD);
  };
  return new Promise((resolve) => {
    const end = performance.now() + durationMs;
    if (typeof video.requestVideoFrameCallback === 'function') {
      const onFrame = () => {
        sample();
        if (performance.now() < end) video.requestVideoFrameCallback(onFrame);
        else resolve({ samples: samples, unreadable: unreadable, by: 'requestVideoFrameCallback' });
      };
      video.requestVideoFrameCallback(onFrame);
      // A video that presents no frame at all still ends the measurement.
      setTimeout(() => resolve({ samples: samples, unreadable: unreadable, by: 'requestVideoFrameCallback' }),
        durationMs + 1000);
    } else {
      const timer = setInterval(() => {
        sample();
        if (performance.now() >= end) {
          clearInterval(timer);
          resolve({ samples: samples, unreadable: unreadable, by: 'interval' });
        }
      }, 20);
    }
  });
}
