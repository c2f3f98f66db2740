// Port numbers: the one range check (1-65535) that validation, the registries and the policy builders share.

export const isPortNumber = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;
