export interface User {
  id: string;
  email?: string;
  displayName: string;
  preferredLanguage: string;
  cityId: string | null;
  organisationId: string | null;
  sector: string;
  tier: string;
  role: string;
  status: string;
  createdAt: string;
  /** Devices that wait for a coordinator to confirm them (again, e.g. after a tier change). */
  devicesPendingConfirmation?: number;
}

export interface City {
  id: string;
  name: string;
  country: string;
}

export interface Organisation {
  id: string;
  cityId: string;
  name: string;
  sector: string;
}

export interface Items<T> {
  items: T[];
}
