/*
 * version.h: hvd's version, in one place: `hvd --version` prints it and
 * `make install` writes it into hvd.pc (from hvd.pc.in's @VERSION@).
 */
#ifndef HVD_VERSION_H
#define HVD_VERSION_H

#define HVD_VERSION "0.1.0"

#endif /* HVD_VERSION_H */
