/* catalogue.h — the catalogue domain module (to be filled in). */
#ifndef LS_CATALOGUE_H
#define LS_CATALOGUE_H

#endif
