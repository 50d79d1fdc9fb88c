/**
 * The server's document shapes (docs/documents.md "Wire summary"); binary fields are base64url.
 */
export interface ServerDocument {
  id: string;
  channelId: string;
  generation: number;
  header: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  lastSeq: number;
  snapshotSeq: number;
}

export interface ServerUpdate {
  seq: number;
  generation: number;
  authorUserId: string;
  authorDeviceId: string;
  clientSeq: number;
  ciphertext: string;
  signature: string;
  createdAt: string;
}

export interface ServerSnapshot {
  coversSeq: number;
  generation: number;
  authorDeviceId: string;
  ciphertext: string;
  signature: string;
  createdAt: string;
}

export interface ServerVersion {
  id: string;
  seq: number;
  generation: number;
  authorUserId: string;
  authorDeviceId: string;
  ciphertext: string;
  signature: string;
  createdAt: string;
}

/** `GET /channels/{cid}/documents/{did}` */
export interface OpenedDocument {
  document: ServerDocument;
  snapshot: ServerSnapshot | null;
  updates: ServerUpdate[];
  more: boolean;
}

export const documentsPath = (channelId: string) => `/api/v1/channels/${channelId}/documents`;
export const documentPath = (channelId: string, documentId: string) => `${documentsPath(channelId)}/${documentId}`;
