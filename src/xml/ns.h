/* ns.h - NAV namespace URIs. Elements are always matched on URI + local
 * name, never on prefix (PROTOCOL.md 1.9). */
#ifndef NAVOI_XML_NS_H
#define NAVOI_XML_NS_H

#define NAVOI__NS_API "http://schemas.nav.gov.hu/OSA/3.0/api"
#define NAVOI__NS_COMMON "http://schemas.nav.gov.hu/NTCA/1.0/common"
#define NAVOI__NS_BASE "http://schemas.nav.gov.hu/OSA/3.0/base"
#define NAVOI__NS_DATA "http://schemas.nav.gov.hu/OSA/3.0/data"
#define NAVOI__NS_ANNUL "http://schemas.nav.gov.hu/OSA/3.0/annul"

#endif
