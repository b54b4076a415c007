using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TenantPortal.Web.Infrastructure.Audit;

/// <summary>
/// <c>hash = SHA-256(previous hash ‖ canonical form)</c>. The canonical form length-prefixes every field
/// (<c>len:value;</c>, <c>~;</c> for null; the trailing Changes field only when it or Channel is set, then Channel only when set), so no choice of field contents can make two rows serialize alike.
/// Published so that a tenant can verify an export offline (see the README).
/// </summary>
public static class AuditHash
{
    public const string Version = "v1";

    public static string Compute(AuditEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return Compute(e.PreviousHash, Canonical(e));
    }

    public static string Compute(string previousHash, string canonical) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(previousHash + canonical)));

    public static string Canonical(AuditEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var builder = new StringBuilder(256);
        foreach (var field in Fields(e))
        {
            if (field is null)
            {
                builder.Append("~;");
            }
            else
            {
                builder.Append(field.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(field).Append(';');
            }
        }

        return builder.ToString();
    }

    private static IEnumerable<string?> Fields(AuditEvent e)
    {
        yield return Version;
        yield return e.ChainId;
        yield return e.Sequence.ToString(CultureInfo.InvariantCulture);
        yield return e.OccurredAt.UtcTicks.ToString(CultureInfo.InvariantCulture);
        yield return e.ActorTenantId?.ToString("D");
        yield return e.ActorObjectId?.ToString("D");
        yield return e.ActorName;
        yield return e.ActorRole;
        yield return e.TenantId;
        yield return e.Action;
        yield return e.Outcome.ToString();
        yield return e.SecretName;
        yield return e.KeyVersion;
        yield return e.Reason;
        yield return e.CorrelationId;
        yield return e.ClientIp;
        yield return e.UserAgent;

        // Added after v1 shipped: present only when set, so every earlier row keeps its hash. A row with a channel
        // always carries the Changes slot (null as "~;") before it, so the two can never be mistaken for each other.
        if (e.Changes is not null || e.Channel is not null)
        {
            yield return e.Changes;
        }

        if (e.Channel is not null)
        {
            yield return e.Channel;
        }
    }
}
