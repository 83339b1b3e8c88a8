/* What .NET does not tell about an open file: its type (an audit log must be a regular file, not
 * /dev/null or a FIFO that swallows what is written) and a blocking exclusive lock. The S_IF* and LOCK_*
 * values come from this platform's headers; C# sees only the portable CE_FILE_* kinds. */
#include <errno.h>
#include <sys/file.h>
#include <sys/stat.h>
#include "../include/ceplatform.h"

CE_API int ce_file_kind(int fd)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -1;
	switch (st.st_mode & S_IFMT) {
	case S_IFREG: return CE_FILE_REGULAR;
	case S_IFDIR: return CE_FILE_DIRECTORY;
	case S_IFCHR: return CE_FILE_CHAR_DEVICE;
	case S_IFBLK: return CE_FILE_BLOCK_DEVICE;
	case S_IFIFO: return CE_FILE_FIFO;
	case S_IFSOCK: return CE_FILE_SOCKET;
	default: return CE_FILE_OTHER;
	}
}

CE_API int ce_lock_exclusive(int fd)
{
	int r;
	do
		r = flock(fd, LOCK_EX);
	while (r != 0 && errno == EINTR);
	return r;
}
