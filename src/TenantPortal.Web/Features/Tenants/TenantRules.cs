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

    // The messages are worded in the caller's UI culture (TenantRules.resx, .ja.resx beside this file).
    private static readonly ResourceTexts Texts = new(typeof(TenantRules));

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
            : Texts.Format("SlugRule");
    }

    public static string? ValidateDisplayName(string? name) => string.IsNullOrWhiteSpace(name)
        ? Texts.Format("DisplayNameRequired")
        : TextRules.Check(name.Trim(), TextRules.Subjects.DisplayName, Tenant.DisplayNameMaxLength);

    /// <summary>Parses Entra tenant ids; a problem names the first malformed or repeated one, or the provider's own tenant.</summary>
    public static string? ParseDirectories(IEnumerable<string> raw, Guid? homeTenantId, out List<Guid> ids)
    {
        ids = [];
        foreach (var text in raw.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()))
        {
            if (!Guid.TryParseExact(text, "D", out var id) || id == Guid.Empty)
            {
                return Texts.Format("NotADirectory", Cut(text));
            }

            if (id == homeTenantId)
            {
                return Texts.Format("HomeDirectory", id);
            }

            if (ids.Contains(id))
            {
                return Texts.Format("DirectoryTwice", id);
            }

            ids.Add(id);
        }

        return ids.Count > MaxDirectories ? Texts.Format("TooManyDirectories", MaxDirectories) : null;
    }

    /// <summary>Normalises contacts (trimmed, lower-cased address); a problem names the first bad or repeated address.</summary>
    public static string? ParseContacts(IEnumerable<ContactInput> raw, out List<ContactInput> contacts)
    {
        contacts = [];
        foreach (var contact in raw.Where(c => !string.IsNullOrWhiteSpace(c.Email)))
        {
            var email = contact.Email.Trim();
            if (TextRules.Check(email, TextRules.Subjects.EmailAddress, TenantContact.EmailMaxLength) is { } refused)
            {
                return refused;
            }

            if (email.Length > TenantContact.EmailMaxLength
                || !MailAddress.TryCreate(email, out var address)
                || address.Address != email
                || !address.Host.Contains('.', StringComparison.Ordinal))
            {
                return Texts.Format("BadEmail", Cut(email));
            }

            if (!ContactLanguages.All.Contains(contact.Language))
            {
                return Texts.Format("BadLanguage", email, string.Join(", ", ContactLanguages.All));
            }

            var normalised = email.ToLowerInvariant();
            if (contacts.Any(c => c.Email == normalised))
            {
                return Texts.Format("EmailTwice", email);
            }

            contacts.Add(new ContactInput(normalised, contact.Language));
        }

        return contacts.Count > MaxContacts ? Texts.Format("TooManyContacts", MaxContacts) : null;
    }

    private static string Cut(string text) => text.Length > 60 ? text[..60] + "…" : text;

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Slug();
}
