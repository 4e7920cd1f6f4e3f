import "@testing-library/jest-dom/vitest";
import { clearMocks } from "@tauri-apps/api/mocks";
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

// Screens other than the first load on first use (React.lazy in routes.ts); under Vitest that
// first import is transformed on demand, which on a busy 2-core machine can take longer than
// findBy's default 1 s.
configure({ asyncUtilTimeout: 5_000 });

// The Tauri IPC mocks draw callback ids from crypto.getRandomValues.
if (typeof window.crypto?.getRandomValues !== "function") {
  Object.defineProperty(window, "crypto", {
    configurable: true,
    value: {
      getRandomValues<T extends ArrayBufferView | null>(array: T): T {
        if (array) {
          const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
          for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
        }
        return array;
      },
    },
  });
}

// jsdom's Blob has no text(); the import dialog reads the chosen file with it, as browsers do.
if (typeof Blob.prototype.text !== "function") {
  Object.defineProperty(Blob.prototype, "text", {
    configurable: true,
    value(this: Blob): Promise<string> {
      return new Promise((resolve, reject) => {
        const reader = new FileReader();
        reader.onload = () => resolve(reader.result as string);
        reader.onerror = () => reject(reader.error ?? new Error("The file could not be read."));
        reader.readAsText(this);
      });
    },
  });
}

afterEach(async () => {
  cleanup();
  // Let effect clean-ups (unlisten calls) settle before the IPC mock goes away.
  await new Promise((resolve) => setTimeout(resolve, 0));
  clearMocks();
  window.localStorage.clear();
  delete document.documentElement.dataset.theme;
  window.history.replaceState(null, "", "/");
});
