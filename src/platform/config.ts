import * as vscode from 'vscode';
import { SETTINGS, type SettingKey, type SettingValue } from '../core/settings';

/** Reads a setting, falling back to the one declared default. */
export function setting<K extends SettingKey>(key: K): SettingValue<K> {
  const dot = key.indexOf('.');
  const value = vscode.workspace.getConfiguration(key.slice(0, dot)).get(key.slice(dot + 1));
  return (value ?? SETTINGS[key].default) as SettingValue<K>;
}
