// What the device says about sharing upload: a cellular connection (Network Information API), a data saver, or a
// battery under 20 % and not charging each turn uploading off unless the viewer ticks the box again.

let battery = null;

/** 'cellular', 'save-data', 'low-battery' or null. */
export function deviceConstraint() {
  const c = navigator.connection;
  if (c && c.type === 'cellular') return 'cellular';
  if (c && c.saveData) return 'save-data';
  if (battery && battery.level < 0.2 && !battery.charging) return 'low-battery';
  return null;
}

/**
 * Reads the device's state once (bounded: getBattery may never answer), then calls `changed` on every change of
 * the network or the battery; resolves once the first reading is in.
 */
export async function watchDevice(changed) {
  if (navigator.connection && navigator.connection.addEventListener) {
    navigator.connection.addEventListener('change', changed);
  }
  if (typeof navigator.getBattery === 'function') {
    try {
      battery = await Promise.race([navigator.getBattery(),
        new Promise(function (r) { setTimeout(function () { r(null); }, 1000); })]);
      if (battery && battery.addEventListener) {
        battery.addEventListener('levelchange', changed);
        battery.addEventListener('chargingchange', changed);
      }
    } catch (e) {
      battery = null;
    }
  }
}
