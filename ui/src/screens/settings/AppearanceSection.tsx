import { useId } from "react";

import { useTheme, type ThemePreference } from "../../theme";
import { SettingsSection } from "./SettingsSection";

const OPTIONS: readonly { value: ThemePreference; label: string }[] = [
  { value: "system", label: "System" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
];

export function AppearanceSection() {
  const { preference, setPreference } = useTheme();
  const name = useId();
  const hintId = useId();
  return (
    <SettingsSection title="Appearance">
      <fieldset className="choice-group" aria-describedby={hintId}>
        <legend>Theme</legend>
        <div className="choice-options">
          {OPTIONS.map((option) => (
            <label key={option.value} className="choice">
              <input
                type="radio"
                name={name}
                value={option.value}
                checked={preference === option.value}
                onChange={() => setPreference(option.value)}
              />
              <span>{option.label}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <p id={hintId} className="hint">
        System follows your operating system&apos;s light or dark setting.
      </p>
    </SettingsSection>
  );
}
