// The browser side of a live figure (gradlab/widgets/frame_view.py): paints each whole frame
// the kernel sends onto one canvas, says when it is painted, and sends clicks back.
//
// Protocol (custom widget messages; every frame is whole, never a diff):
//   view -> kernel  {type: "hello", view, loopback, ratio}   a view appeared: send a frame
//                   {type: "painted", seq}                    frame seq is on the canvas
//                   {type: "mouse", name, x, y, button, dblclick}  in frame pixels, y up
//                   {type: "bye", view}                       the view was removed
//                   {type: "resync"}                          send the whole frame
//   kernel -> view  {type: "frame", seq, encoding, width, height, ratio, checksum?, base?}
//     encoding "rgba": one buffer, every pixel (on loopback)
//     encoding "runs": buffers starts, lengths (uint32) and values (uint32 pixels): the frame
//                      is frame `base` with those runs of pixels replaced (on loopback)
//     encoding "png":  one buffer, a PNG (over a network)
//   checksum: the sum of the frame's pixels as uint32 words, modulo 2**32.

const LOOPBACK = ["localhost", "127.0.0.1", "[::1]", "::1"];

function render({ model, el }) {
  const canvas = document.createElement("canvas");
  canvas.className = "gradlab-frame";
  canvas.setAttribute("role", "img");
  const label = () => canvas.setAttribute("aria-label", model.get("label") || "live figure");
  label();
  canvas.width = 0;
  canvas.height = 0;
  el.appendChild(canvas);
  const context = canvas.getContext("2d");
  const view = Math.random().toString(36).slice(2);
  let newest = 0; // sequence number of the newest frame received
  let shown = 0;  // ... and of the one on the canvas
  let image = null; // the frame on the canvas, kept to apply the next change to
  let words = null; // its pixels as uint32 words

  function paint(message, draw) {
    if (message.seq < shown) return; // a later frame is already up
    const ratio = message.ratio || 1;
    if (canvas.width !== message.width || canvas.height !== message.height) {
      canvas.width = message.width; // resizing clears the canvas: only when the size changed
      canvas.height = message.height;
    }
    canvas.style.width = `${message.width / ratio}px`;
    canvas.style.height = `${message.height / ratio}px`;
    draw();
    shown = message.seq;
    model.send({ type: "painted", seq: message.seq });
  }

  // A typed array over a message buffer (copied when the buffer is not aligned for it).
  function typed(Type, data) {
    if (data.byteOffset % Type.BYTES_PER_ELEMENT === 0) {
      return new Type(data.buffer, data.byteOffset, data.byteLength / Type.BYTES_PER_ELEMENT);
    }
    return new Type(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  }

  function sum(values) {
    let total = 0;
    for (let i = 0; i < values.length; i++) total = (total + values[i]) | 0; // int32 wraps
    return total >>> 0; // as the kernel's unsigned 32-bit sum
  }

  function onMessage(message, buffers) {
    if (!message || message.type !== "frame" || !buffers || !buffers.length) return;
    if (message.seq <= newest) return;
    newest = message.seq;
    canvas.dispatchEvent(new Event("gradlab-frame", { bubbles: true })); // for timing tools
    const { width, height } = message;
    if (message.encoding === "png") {
      // Decoded off the main thread.
      image = words = null;
      createImageBitmap(new Blob([buffers[0]], { type: "image/png" })).then((bitmap) => {
        if (message.seq === newest) paint(message, () => context.drawImage(bitmap, 0, 0));
        bitmap.close();
      });
      return;
    }
    if (message.encoding === "rgba") {
      image = new ImageData(width, height);
      image.data.set(typed(Uint8Array, buffers[0]));
      words = new Uint32Array(image.data.buffer);
    } else if (message.encoding === "runs") {
      if (!image || message.base !== shown || image.width !== width ||
          image.height !== height || buffers.length !== 3) {
        model.send({ type: "resync" }); // not the frame the change was made against
        return;
      }
      const starts = typed(Uint32Array, buffers[0]);
      const lengths = typed(Uint32Array, buffers[1]);
      const values = typed(Uint32Array, buffers[2]);
      let offset = 0;
      for (let i = 0; i < starts.length; i++) {
        words.set(values.subarray(offset, offset + lengths[i]), starts[i]);
        offset += lengths[i];
      }
    } else {
      return;
    }
    if (message.encoding === "runs" && sum(words) !== message.checksum) {
      image = words = null; // never show a frame that is not the kernel's: ask for it whole
      model.send({ type: "resync" });
      return;
    }
    canvas.dataset.checksum = String(message.checksum);
    paint(message, () => context.putImageData(image, 0, 0));
  }

  function onMouseDown(event) {
    const box = canvas.getBoundingClientRect();
    if (!box.width || !box.height) return;
    const x = ((event.clientX - box.left) * canvas.width) / box.width;
    const y = ((event.clientY - box.top) * canvas.height) / box.height;
    model.send({
      type: "mouse",
      name: "button_press_event",
      x,
      y: canvas.height - y, // matplotlib counts from the bottom
      button: event.button + 1, // matplotlib: 1 left, 2 middle, 3 right
      dblclick: event.detail > 1,
    });
  }

  model.on("msg:custom", onMessage);
  model.on("change:label", label);
  canvas.addEventListener("mousedown", onMouseDown);
  model.send({
    type: "hello",
    view,
    loopback: LOOPBACK.includes(window.location.hostname),
    ratio: window.devicePixelRatio || 1,
  });
  return () => {
    model.off("msg:custom", onMessage);
    model.off("change:label", label);
    canvas.removeEventListener("mousedown", onMouseDown);
    try {
      model.send({ type: "bye", view });
    } catch (error) {
      // the kernel is gone: nobody to tell
    }
  };
}

export default { render };
