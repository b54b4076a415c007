using System.Net.Mail;
using System.Text.RegularExpressions;
using TenantPortal.Web.Infrastructure.Text;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.Tenants;

/// <summary>What a valid tenant looks like. Each rule answers with a specific message, or null.</summary>
public static partial class TenantRules
{
    public const int MaxContacts = 20;
    public const int MaxDirectories = 20;

    /// <summary>
    /// Key Vault names are case-insensitive, so two slugs differing only in case would share one secret: slugs are
    /// lower case, start and end with a letter or digit, and satisfy the secret naming rules.
    /// </summary>
    public static string? ValidateSlug(string? slug)
    {
        if (!SecretName.IsValidTenantId(slug, out var error))
        {
            return error;
        }

        return Slug().IsMatch(slug)
            ? null
            : "A tenant id must be lower case (a-z, 0-9 and hyphens) and start and end with a letter or digit, e.g. contoso-eu.";
    }

    public static string? ValidateDisplayName(string? name) => string.IsNullOrWhiteSpace(name)
        ? "A display name is required."
        : TextRules.Check(name.Trim(), "The display name", Tenant.DisplayNameMaxLength);

    /// <summary>Parses Entra tenant ids; a problem names the first malformed or repeated one, or the provider's own tenant.</summary>
    public static string? ParseDirectories(IEnumerable<string> raw, Guid? homeTenantId, out List<Guid> ids)
    {
        ids = [];
        foreach (var text in raw.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()))
        {
            if (!Guid.TryParseExact(text, "D", out var id) || id == Guid.Empty)
            {
                return $"\"{Cut(text)}\" is not an Entra tenant id: write the directory (tenant) id as a GUID, e.g. 72f988bf-86f1-41af-91ab-2d7cd011db47.";
            }

            if (id == homeTenantId)
            {
                return $"{id} is the provider's own Entra tenant (staff sign in from it); a customer tenant cannot use it.";
            }

            if (ids.Contains(id))
            {
                return $"The Entra tenant id {id} is listed twice.";
            }

            ids.Add(id);
        }

        return ids.Count > MaxDirectories ? $"At most {MaxDirectories} Entra tenant ids are allowed." : null;
    }

    /// <summary>Normalises contacts (trimmed, lower-cased address); a problem names the first bad or repeated address.</summary>
    public static string? ParseContacts(IEnumerable<ContactInput> raw, out List<ContactInput> contacts)
    {
        contacts = [];
        foreach (var contact in raw.Where(c => !string.IsNullOrWhiteSpace(c.Email)))
        {
            var email = contact.Email.Trim();
            if (TextRules.Check(email, "An e-mail address", TenantContact.EmailMaxLength) is { } refused)
            {
                return refused;
            }

            if (email.Length > TenantContact.EmailMaxLength
                || !MailAddress.TryCreate(email, out var address)
                || address.Address != email
                || !address.Host.Contains('.', StringComparison.Ordinal))
            {
                return $"\"{Cut(email)}\" is not a valid e-mail address (write it as name@example.com, without a display name).";
            }

            if (!ContactLanguages.All.Contains(contact.Language))
            {
                return $"The language of {email} must be one of: {string.Join(", ", ContactLanguages.All)}.";
            }

            var normalised = email.ToLowerInvariant();
            if (contacts.Any(c => c.Email == normalised))
            {
                return $"The address {email} is listed twice.";
            }

            contacts.Add(new ContactInput(normalised, contact.Language));
        }

        return contacts.Count > MaxContacts ? $"At most {MaxContacts} contacts are allowed." : null;
    }

    private static string Cut(string text) => text.Length > 60 ? text[..60] + "…" : text;

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Slug();
}
