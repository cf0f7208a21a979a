export interface PlatformFields { cpu?: string[]; os?: string[]; libc?: string[] }
export function platformOf(name: string): PlatformFields | null;
export function addStubs(lock: { packages: Record<string, Record<string, unknown>> }): string[];
