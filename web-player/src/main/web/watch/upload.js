// Whether this page shares its upload (takes children in the tree): the viewer's choice (`?upload=0`, the "share
// my upload" box) and the device's limits (watch/device.js: cellular, data saver, low battery), which turn it off
// unless the viewer ticks the box again.
import { deviceConstraint, watchDevice } from '/web/watch/device.js';

export class UploadChoice {
  /**
   * @param {URLSearchParams} params
   * @param {Object} state  window.waterfall.state: upload and uploadReason written
   * @param {() => Object|null} node  the P2P node, once there is one (told of every change)
   * @param {HTMLInputElement|null} box  the page's checkbox and its note; null on /embed (no controls)
   * @param {HTMLElement|null} note
   */
  constructor(params, state, node, box, note) {
    this.state = state;
    this.node = node;
    this.box = box;
    this.note = note;
    this.wanted = params.get('upload') !== '0'; // the URL's or the box's choice
    this.byUrl = params.get('upload') === '0';
    this.constraint = null; // 'cellular', 'save-data', 'low-battery' or null
    this.overridden = false; // the viewer ticked the box despite the constraint
    if (box) {
      box.addEventListener('change', () => {
        this.wanted = box.checked;
        this.byUrl = false;
        this.overridden = box.checked && this.constraint !== null;
        this.apply();
      });
    }
  }

  effective() {
    return this.wanted && (this.constraint === null || this.overridden);
  }

  /** Puts the current choice into the state, the box and the node. */
  apply() {
    const on = this.effective();
    const state = this.state;
    state.upload = on;
    state.uploadReason = on ? null : !this.wanted ? (this.byUrl ? 'url' : 'user') : this.constraint;
    if (this.box) {
      this.box.checked = on;
      this.note.textContent = on ? (this.overridden ? '(despite ' + this.constraint + ')' : '')
        : state.uploadReason === 'url' || state.uploadReason === 'user' ? '' : '(off: ' + state.uploadReason + ')';
    }
    const node = this.node();
    if (node) node.setUpload(on);
  }

  /** Reads the device's state once and follows its changes; resolves once the first reading is in. */
  async followDevice() {
    await watchDevice(() => {
      const now = deviceConstraint();
      if (now === this.constraint) return;
      this.constraint = now;
      this.overridden = false;
      this.apply();
    });
    this.constraint = deviceConstraint();
    this.apply();
  }
}
