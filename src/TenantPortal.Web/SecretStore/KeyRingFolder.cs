namespace TenantPortal.Web.SecretStore;

/// <summary>
/// <c>DataProtection:KeysPath</c>: the local store's key ring, apart from the database and the local store's secrets
/// folder; and where earlier versions kept the portal's own ring (and the fingerprint key), which a first start on an
/// empty database imports (<see cref="FileKeyRingImport"/>).
/// </summary>
public sealed record KeyRingFolder(string Path);
