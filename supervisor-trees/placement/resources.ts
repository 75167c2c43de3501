/** CPU cores and memory, as a node offers them or an actor asks for them. */
export interface Resources {
  cpu: number;
  memoryMb: number;
}

export const NO_RESOURCES: Resources = Object.freeze({ cpu: 0, memoryMb: 0 });

export function addResources(a: Resources, b: Resources): Resources {
  return { cpu: a.cpu + b.cpu, memoryMb: a.memoryMb + b.memoryMb };
}
