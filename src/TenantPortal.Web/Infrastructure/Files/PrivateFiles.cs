namespace TenantPortal.Web.Infrastructure.Files;

/// <summary>
/// The portal's own files on disk (the embedded database, the local store's secrets, the key ring) are for the portal's
/// OS user alone: on Linux and macOS, folders 0700 and files 0600, given when they are created so there is no moment in
/// which another user could open them (the process's umask can only narrow them further). Windows has no such modes;
/// there the files inherit their folder's ACL.
/// </summary>
public static class PrivateFiles
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Creates a folder the portal alone uses (with any missing parents) as 0700, or narrows an existing one to 0700.
    /// </summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, FolderMode);
            return;
        }

        Narrow(path, FolderMode);
    }

    /// <summary>Creates an empty file as 0600 unless it exists; an existing one is narrowed to 0600.</summary>
    public static void CreateFile(string path)
    {
        try
        {
            using (OpenNew(path))
            {
            }
        }
        catch (IOException) when (File.Exists(path))
        {
            if (!OperatingSystem.IsWindows())
            {
                Narrow(path, FileMode);
            }
        }
    }

    /// <summary>A new file for writing, 0600 from the start; fails if the file exists.</summary>
    public static FileStream OpenNew(string path)
    {
        var options = new FileStreamOptions
        {
            Mode = System.IO.FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        return new FileStream(path, options);
    }

    /// <summary>Narrows a file or folder from before this rule (e.g. 0644) to <paramref name="mode"/>; never widens one.</summary>
    public static void Narrow(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            var current = File.GetUnixFileMode(path);
            if ((current & ~mode) != 0)
            {
                File.SetUnixFileMode(path, current & mode);
            }
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            // A file system without Unix modes (an SMB share such as App Service's /home) refuses the change, and its
            // mount options, not the mode, decide who may read it; what the portal creates there was still asked for 0600/0700.
        }
    }
}
