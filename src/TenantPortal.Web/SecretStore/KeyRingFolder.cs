namespace TenantPortal.Web.SecretStore;

/// <summary>
/// The Data Protection key ring's folder (<c>DataProtection:KeysPath</c>): kept apart from the database and the local
/// store's secrets folder, shared by every portal instance. Keys derived for one purpose may be kept beside the ring,
/// protected by it (never in the database).
/// </summary>
public sealed record KeyRingFolder(string Path);
